"""The operator area's controllers, mounted by ``web.areas`` behind the operator-host check."""

from __future__ import annotations

from typing import Any

from web.operator.dead_letters import DeadLetterController
from web.operator.home import OperatorController
from web.operator.price_tables import PriceTableController
from web.operator.tenants import TenantReviewController

OPERATOR_CONTROLLERS: tuple[Any, ...] = (
    OperatorController,
    TenantReviewController,
    PriceTableController,
    DeadLetterController,
)
