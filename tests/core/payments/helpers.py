"""Orders awaiting payment and a tenant's bank-transfer account, for the payments tests."""

from __future__ import annotations

from core.context import Context
from core.contracts.common import PluginAccount
from core.orders.lifecycle import transition
from core.orders.lines import LineInput
from core.orders.placing import OrderRequest, create_order
from core.orders.states import OrderState
from core.orders.views import OrderView
from tests.conftest import TEST_SECRET
from tests.core.orders.helpers import make_deps, priced_product

BANK_ACCOUNT = PluginAccount(
    config={
        "bank_code": "0001",
        "bank_name": "ﾐｽﾞﾎ",
        "branch_code": "123",
        "branch_name": "ﾄｳｷﾖｳ",
        "account_type": "1",
        "account_number": "1234567",
        "holder_kana": "ｼﾖｳﾒｲ(ｶ",
    },
    secret_key=TEST_SECRET,
)


async def new_order(
    ctx: Context,
    base: int = 10_000,
    payment_method: str = "bank_transfer",
    customer_id: int | None = 7,
    awaiting: bool = True,
) -> OrderView:
    """An order of one line priced ``base`` (total = base + 10 % tax), awaiting payment."""
    product_id = await priced_product(ctx, base, code=f"p{base}")
    request = OrderRequest(payment_method, (LineInput(product_id),), customer_id=customer_id)
    order = await create_order(ctx, request, make_deps())
    if awaiting:
        order = await transition(ctx, order.id, OrderState.AWAITING_PAYMENT)
    return order
