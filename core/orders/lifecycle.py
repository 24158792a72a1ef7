"""Moving an order through its states, with the outbox event in the same transaction."""

from __future__ import annotations

from core import outbox
from core.catalog.errors import refuse
from core.context import Context
from core.db import write_transaction
from core.orders.states import OrderState, check_transition, event_type
from core.orders.tables import Order
from core.orders.views import OrderView, get_order, order_row


async def transition(
    ctx: Context, order_id: int, target: OrderState, reason: str = ""
) -> OrderView:
    """Move the order to ``target`` if the transition table allows it; announce it once."""
    async with write_transaction():
        row = await order_row(ctx, order_id)
        current = OrderState(row["state"])
        check_transition(current, target)
        changed = await (
            Order.update({Order.state: target.value, Order.updated_at: ctx.clock.now()})
            .where(
                (Order.id == order_id)
                & (Order.tenant_id == ctx.tenant.id)
                & (Order.state == current.value)
            )
            .returning(Order.id)
            .run()
        )
        if not changed:
            raise refuse("state", "orders.state.changed_concurrently")
        await outbox.record(
            ctx,
            "order",
            order_id,
            event_type(target),
            {
                "order_id": order_id,
                "from": current.value,
                "to": target.value,
                "customer_id": row["customer_id"],
                "total": row["total"],
                "reason": reason,
                "actor": f"{ctx.actor.kind.value}:{ctx.actor.id}",
            },
        )
    return await get_order(ctx, order_id)
