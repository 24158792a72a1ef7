"""``/api/v1/checkout-sessions``: a hosting panel opens a hosted checkout and reads its status,
like Stripe Checkout. Scopes: ``orders:write`` to create, ``orders:read`` to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter

from core.context import Context
from core.orders.lines import LineInput
from web.api.auth import principal
from web.api.examples import errors
from web.api.fields import MAX_LINES, NO_NUL, Count, Id, items
from web.api.guards import requires_scope
from web.storefront.hosted import (
    DEFAULT_MINUTES,
    SessionRequest,
    SessionView,
    create_session,
    get_session,
)

CREATE_EXAMPLE = {
    "lines": [{"product_id": 12, "quantity": 1, "term_months": 12, "fqdns": 2, "wildcards": 0}],
    "customer": {"email": "tanaka@example.co.jp", "name": "田中 一郎"},
    "success_url": "https://panel.example-hosting.jp/ssl/done",
    "cancel_url": "https://panel.example-hosting.jp/ssl",
    "metadata": {"panel_account": "u-20931", "domain": "www.example.co.jp"},
    "expires_in_minutes": 60,
}
SESSION_EXAMPLE = {
    "id": "cs_3q0Xl9…",
    "url": "https://acme.shomei.example/checkout/cs_3q0Xl9…",
    "status": "open",
    "order_id": None,
    "success_url": "https://panel.example-hosting.jp/ssl/done",
    "cancel_url": "https://panel.example-hosting.jp/ssl",
    "customer": {"email": "tanaka@example.co.jp", "name": "田中 一郎"},
    "metadata": {"panel_account": "u-20931", "domain": "www.example.co.jp"},
    "expires_at": "2026-11-22T10:00:00Z",
    "created_at": "2026-11-22T09:00:00Z",
    "completed_at": None,
}


@dataclass
class SessionLineIn:
    """quantity x product x term x additional FQDNs x wildcard names"""

    product_id: Id = field(metadata={"description": "A product of this tenant's catalog"})
    quantity: Count = 1
    term_months: Count = 12
    fqdns: Count = field(default=0, metadata={"description": "Additional names beyond the first"})
    wildcards: Count = 0


@dataclass
class CheckoutSessionIn:
    """``success_url`` and ``cancel_url`` share one origin: the panel's, the only origin the
    hosted page posts its completion message to. ``customer`` (``email``, ``name``,
    ``organization_name``) prefills the sign-in and sign-up forms; ``metadata`` (at most 20
    string values) comes back in the session and in the ``order.paid`` webhook."""

    lines: items(SessionLineIn, MAX_LINES, min_items=1)
    success_url: str = field(metadata={"examples": ["https://panel.example-hosting.jp/ssl/done"]})
    cancel_url: str = field(metadata={"examples": ["https://panel.example-hosting.jp/ssl"]})
    customer: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    expires_in_minutes: int = field(
        default=DEFAULT_MINUTES, metadata={"description": "30 to 1440 minutes"}
    )


@dataclass
class CheckoutSessionOut:
    """``status``: ``open`` (send the customer to ``url``), ``complete`` (``order_id`` is the
    order placed; its payment shows in ``GET /api/v1/orders/{id}/payment``) or ``expired``."""

    id: str
    url: str
    status: str
    order_id: int | None
    success_url: str
    cancel_url: str
    customer: dict[str, str]
    metadata: dict[str, str]
    expires_at: datetime
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, view: SessionView) -> CheckoutSessionOut:
        return cls(**view.__dict__)


class CheckoutSessionController(Controller):
    path = "/checkout-sessions"
    tags = ["checkout"]

    @post(
        "/",
        summary="Open a hosted checkout session",
        description=(
            "Checks the lines (this tenant's products, priced today) and the return addresses,"
            " and answers the session with its `url`: open it with `shomei-embed.js` (a popup"
            " that posts `shomei:checkout.completed` back to your origin) or redirect the"
            " customer there. The session expires after `expires_in_minutes`."
        ),
        guards=[requires_scope("orders:write")],
        status_code=201,
        responses={
            **errors(),
            201: ResponseSpec(
                data_container=CheckoutSessionOut,
                description="The new session",
                examples=[Example(summary="An open session", value=SESSION_EXAMPLE)],
            ),
        },
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        data: Annotated[
            CheckoutSessionIn,
            Body(
                examples=[
                    Example(summary="One OV certificate with two extra names", value=CREATE_EXAMPLE)
                ]
            ),
        ],
    ) -> CheckoutSessionOut:
        asked = SessionRequest(
            lines=tuple(LineInput(**line.__dict__) for line in data.lines),
            success_url=data.success_url,
            cancel_url=data.cancel_url,
            customer=dict(data.customer),
            metadata=dict(data.metadata),
            expires_in_minutes=data.expires_in_minutes,
        )
        settings = request.app.state.web.settings
        view = await create_session(ctx, settings, principal(request).key_id, asked)
        return CheckoutSessionOut.of(view)

    @get(
        "/{session_id:str}",
        summary="A checkout session's status",
        description="`open`, `complete` (with `order_id`) or `expired`.",
        guards=[requires_scope("orders:read")],
        responses={
            **errors(),
            200: ResponseSpec(
                data_container=CheckoutSessionOut,
                description="The session",
                examples=[
                    Example(
                        summary="A completed session",
                        value={
                            **SESSION_EXAMPLE,
                            "status": "complete",
                            "order_id": 4711,
                            "completed_at": "2026-11-22T09:12:00Z",
                        },
                    )
                ],
            ),
        },
    )
    async def read(
        self,
        ctx: NamedDependency[Context],
        request: Request[Any, Any, Any],
        session_id: Annotated[str, PathParameter(max_length=100, pattern=NO_NUL)],
    ) -> CheckoutSessionOut:
        settings = request.app.state.web.settings
        return CheckoutSessionOut.of(await get_session(ctx, settings, session_id))
