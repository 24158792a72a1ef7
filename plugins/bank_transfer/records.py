"""What a parsed Zengin file holds: the account, each transfer line, the file's fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.payments.bank_backend import BankFileRefused

FileKind = Literal["transfer_notice", "account_statement"]


class ZenginError(BankFileRefused):
    """The file was refused whole; ``check`` names the rule it broke (e.g. ``trailer.total``)
    and ``record`` the 1-based record where it was found (0 for the file itself). It is
    core's ``BankFileRefused``, so core refuses the file without knowing the Zengin format."""


@dataclass(frozen=True)
class BankAccount:
    """The receiving account a header names (for a virtual account, the virtual number)."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: str  # 1 普通, 2 当座, 4 貯蓄
    account_number: str
    account_name: str


@dataclass(frozen=True)
class TransferLine:
    """One data record. ``credit`` is False for a statement's withdrawals (出金);
    ``cancelled`` marks a transfer notice's cancellation record (取消区分 1)."""

    kind: FileKind
    record_number: int
    account: BankAccount
    inquiry_number: str
    account_date: date | None
    value_date: date | None
    amount: int
    payer_code: str
    payer_name: str
    remitting_bank: str
    remitting_branch: str
    edi: str
    transaction_type: str
    credit: bool
    cancelled: bool
    fingerprint: str
    """sha256 of the receiving account and the record's 200 bytes: the same line imported
    twice (from the same file or a re-sent one) has the same fingerprint."""

    @property
    def reference(self) -> str:
        """The line's reference in payment outcomes."""
        return f"zengin:{self.fingerprint[:32]}"


@dataclass(frozen=True)
class ZenginFile:
    kind: FileKind
    created_on: date | None
    accounts: tuple[BankAccount, ...]
    lines: tuple[TransferLine, ...]
    fingerprint: str
    """sha256 of the records without separators: CRLF, LF and unseparated copies agree."""

    def incoming(self) -> list[TransferLine]:
        """The lines that are money received: credits that are not cancellations."""
        return [line for line in self.lines if line.credit and not line.cancelled]
