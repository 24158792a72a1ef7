"""Order and quote lines: what a client asks for, and the priced snapshot that is stored.

A line is priced once, when it is quoted or ordered: its unit price (base + each additional
FQDN + each wildcard name) and its names are copied, so later catalog changes never alter it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from core.catalog.products import get_product
from core.catalog.retail import resolve_price, unit_price
from core.context import Context
from core.contracts.common import Yen
from core.contracts.providers import LineRequest
from core.errors import FieldError, NotFound, ValidationFailed

PRODUCT, ACCOUNT_CREDIT = "product", "account_credit"
CREDIT_NAMES = ("アカウントクレジット", "Account credit")


@dataclass(frozen=True)
class LineInput:
    """quantity x product x term x additional FQDNs x wildcard names."""

    product_id: int
    quantity: int = 1
    term_months: int = 12
    fqdns: int = 0
    wildcards: int = 0


@dataclass(frozen=True)
class PricedLine:
    """A line as stored on an order or a quote (same columns in both tables)."""

    kind: str
    product_id: int | None
    product_code: str
    provider_code: str
    provider_account_id: int | None
    name_ja: str
    name_en: str
    quantity: int
    term_months: int
    fqdns: int
    wildcards: int
    unit_price: Yen
    amount: Yen
    tax_rate: int

    def as_request(self) -> LineRequest:
        return LineRequest(
            product_code=self.product_code,
            quantity=self.quantity,
            term_months=self.term_months,
            fqdns=self.fqdns,
            wildcards=self.wildcards,
            unit_price=self.unit_price,
        )

    def as_input(self) -> LineInput | None:
        if self.product_id is None:
            return None
        return LineInput(
            self.product_id, self.quantity, self.term_months, self.fqdns, self.wildcards
        )

    def columns(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PricedLine:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


def credit_line(amount: Yen, tax_rate: int) -> PricedLine:
    """An account-credit quote's single line: a total only, no product."""
    return PricedLine(
        kind=ACCOUNT_CREDIT,
        product_id=None,
        product_code=ACCOUNT_CREDIT,
        provider_code="",
        provider_account_id=None,
        name_ja=CREDIT_NAMES[0],
        name_en=CREDIT_NAMES[1],
        quantity=1,
        term_months=0,
        fqdns=0,
        wildcards=0,
        unit_price=amount,
        amount=amount,
        tax_rate=tax_rate,
    )


def shape_errors(position: int, line: LineInput) -> list[FieldError]:
    """What makes a line meaningless whatever the provider: no units, negative name counts."""
    errors = []
    if line.quantity < 1:
        errors.append(FieldError(f"lines[{position}].quantity", "orders.line.quantity_invalid"))
    for name in ("fqdns", "wildcards"):
        if getattr(line, name) < 0:
            errors.append(FieldError(f"lines[{position}].{name}", "orders.line.count_negative"))
    return errors


async def price_lines(
    ctx: Context, lines: tuple[LineInput, ...], tax_rate: int
) -> tuple[list[PricedLine | None], list[FieldError]]:
    """Price every line at today's retail price, position by position (None where refused)."""
    if not lines:
        return [], [FieldError("lines", "orders.line.none")]
    priced: list[PricedLine | None] = []
    errors: list[FieldError] = []
    for position, line in enumerate(lines):
        problems = shape_errors(position, line)
        try:
            product = await get_product(ctx, line.product_id)
            price = await resolve_price(ctx, product, line.term_months)
        except NotFound:
            problems.append(
                FieldError(f"lines[{position}].product_id", "orders.line.product_unknown")
            )
        except ValidationFailed as refused:
            problems.extend(
                FieldError(f"lines[{position}].{e.field}", e.message_id, e.params)
                for e in refused.errors
            )
        if problems:
            errors.extend(problems)
            priced.append(None)
            continue
        unit = unit_price(price, line.fqdns, line.wildcards)
        priced.append(
            PricedLine(
                kind=PRODUCT,
                product_id=product.id,
                product_code=product.code,
                provider_code=product.provider_code,
                provider_account_id=product.provider_account_id,
                name_ja=product.name_ja,
                name_en=product.name_en,
                quantity=line.quantity,
                term_months=line.term_months,
                fqdns=line.fqdns,
                wildcards=line.wildcards,
                unit_price=unit,
                amount=unit * line.quantity,
                tax_rate=tax_rate,
            )
        )
    return priced, errors
