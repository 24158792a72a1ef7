"""What core needs from a bank-transfer plugin, and how it finds one (by code, never by import).

``core/payments/transfers.py`` stores expectations, imports statement files and applies the
matched money; reading a bank's file format, matching lines to payers and drawing up the
instructions belong to the plugin. The plugin's payment adapter class (registered through
``register_payment_adapters`` under the code ``bank_transfer``) is the backend:

- ``parse_statement(data, today) -> BankStatement`` (a static method), raising
  ``BankFileRefused`` (or a subclass) for a file it refuses whole;
- ``match(lines, open_payments) -> BankMatch`` (a static method): the allocations and the
  lines nobody matched;
- ``cls(account).instructions(ctx, request) -> TransferDetails``.

The values below are Protocols: any object with those attributes does (the plugin's own
dataclasses). ``OpenPayment`` is core's, because core builds it from its expectations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from core.context import Context
from core.contracts.common import PluginAccount, Yen
from core.contracts.payments import PaymentOutcome, PaymentRequest
from core.errors import ShomeiError
from core.plugins import Registry, build_plugin_manager

BANK_TRANSFER = "bank_transfer"


class BankFileRefused(ShomeiError):
    """The file was refused whole; ``check`` names the rule it broke and ``record`` the
    1-based record where it was found (0 for the file itself)."""

    def __init__(self, check: str, record: int, problem: str) -> None:
        self.check = check
        self.record = record
        self.problem = problem
        where = f"record {record}" if record else "file"
        super().__init__(f"bank file refused ({check}), {where}: {problem}")


@dataclass(frozen=True)
class OpenPayment:
    """One payable awaiting a transfer: its remaining due and how a payer names it."""

    payable_type: str
    payable_id: int
    customer_id: int
    amount_due: Yen
    payer_reference: str = ""
    virtual_account: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.payable_type, self.payable_id)


class ReceivingAccount(Protocol):
    @property
    def bank_code(self) -> str: ...
    @property
    def branch_code(self) -> str: ...
    @property
    def account_number(self) -> str: ...


class BankLineRecord(Protocol):
    """One data record of a statement, as core stores it."""

    @property
    def fingerprint(self) -> str: ...
    @property
    def record_number(self) -> int: ...
    @property
    def account(self) -> ReceivingAccount: ...
    @property
    def inquiry_number(self) -> str: ...
    @property
    def account_date(self) -> date | None: ...
    @property
    def amount(self) -> int: ...
    @property
    def payer_name(self) -> str: ...
    @property
    def credit(self) -> bool: ...
    @property
    def cancelled(self) -> bool: ...


class BankStatement(Protocol):
    @property
    def fingerprint(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def created_on(self) -> date | None: ...
    @property
    def lines(self) -> Sequence[BankLineRecord]: ...


class BankAllocation(Protocol):
    @property
    def line(self) -> BankLineRecord: ...
    @property
    def payable_type(self) -> str: ...
    @property
    def payable_id(self) -> int: ...
    def outcome(self) -> PaymentOutcome: ...


class BankUnmatched(Protocol):
    @property
    def line(self) -> BankLineRecord: ...
    @property
    def reason(self) -> str: ...


class BankMatch(Protocol):
    @property
    def allocations(self) -> Sequence[BankAllocation]: ...
    @property
    def unmatched(self) -> Sequence[BankUnmatched]: ...


class TransferDetails(Protocol):
    """The instructions shown and mailed to the payer."""

    @property
    def payer_reference(self) -> str: ...
    @property
    def due_date(self) -> date: ...
    @property
    def remitter_name_hint(self) -> str: ...
    def as_dict(self) -> dict[str, Any]: ...


class BankTransferInstance(Protocol):
    def instructions(self, ctx: Context, request: PaymentRequest) -> TransferDetails: ...


class BankTransferBackend(Protocol):
    """The bank-transfer adapter class, as core uses it."""

    def __call__(self, account: PluginAccount) -> BankTransferInstance: ...
    def parse_statement(self, data: bytes, today: date) -> BankStatement: ...
    def match(
        self, lines: Sequence[BankLineRecord], open_payments: Sequence[OpenPayment]
    ) -> BankMatch: ...


@lru_cache(maxsize=1)
def _default_registry() -> Registry:
    return Registry(build_plugin_manager(load_entrypoints=False))


def bank_transfer_backend(registry: Registry | None = None) -> BankTransferBackend:
    """The registered ``bank_transfer`` adapter class (``PluginNotFound`` without one).
    Without ``registry``, the built-in plugins' (found by name, as core reaches plugins)."""
    found: Any = (registry or _default_registry()).payment_adapter(BANK_TRANSFER)
    return found  # type: ignore[no-any-return]
