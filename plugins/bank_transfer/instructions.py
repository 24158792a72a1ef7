"""The bank-transfer instructions a payer is shown and mailed, as one value object."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from core.contracts.common import Yen
from core.errors import FieldError, ValidationFailed
from core.zengin_kana import KANA_NAME

# Upper-case letters and digits without the look-alikes 0, 1, B, I and O.
REFERENCE_ALPHABET = "23456789ACDEFGHJKLMNPQRSTUVWXYZ"


class AccountType(StrEnum):
    ORDINARY = "1"  # 普通
    CURRENT = "2"  # 当座

    @property
    def label_ja(self) -> str:
        return "普通" if self is AccountType.ORDINARY else "当座"


def payer_reference(secret: str, tenant_id: int, payable_type: str, payable_id: int) -> str:
    """A 6-character reference, the same every time for one payable (safe on retries)."""
    message = f"{tenant_id}:{payable_type}:{payable_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(6):
        number, index = divmod(number, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[index])
    return "".join(chars)


@dataclass(frozen=True)
class TransferInstructions:
    """Where and how much to transfer, and the reference to put before the payer's name."""

    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_type: AccountType
    account_number: str
    holder_kana: str
    amount: Yen
    due_date: date
    payer_reference: str

    def __post_init__(self) -> None:
        errors = [
            FieldError(name, "payments.bank_transfer.invalid", {"value": value})
            for name, value, ok in (
                ("bank_code", self.bank_code, re.fullmatch(r"\d{4}", self.bank_code)),
                ("branch_code", self.branch_code, re.fullmatch(r"\d{3}", self.branch_code)),
                (
                    "account_number",
                    self.account_number,
                    re.fullmatch(r"\d{7}", self.account_number),
                ),
                ("holder_kana", self.holder_kana, KANA_NAME.fullmatch(self.holder_kana)),
                ("amount", self.amount, isinstance(self.amount, int) and self.amount > 0),
                (
                    "payer_reference",
                    self.payer_reference,
                    re.fullmatch(r"[0-9A-Z]{6}", self.payer_reference),
                ),
            )
            if not ok
        ]
        if errors:
            raise ValidationFailed(errors)

    @property
    def remitter_name_hint(self) -> str:
        """What the payer types as the remitter name: the reference, a space, their name."""
        return f"{self.payer_reference} "

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``PaymentStart.instructions`` and the payment-details e-mail."""
        return {
            "bank_code": self.bank_code,
            "bank_name": self.bank_name,
            "branch_code": self.branch_code,
            "branch_name": self.branch_name,
            "account_type": self.account_type.value,
            "account_type_ja": self.account_type.label_ja,
            "account_number": self.account_number,
            "holder_kana": self.holder_kana,
            "amount": self.amount,
            "due_date": self.due_date.isoformat(),
            "payer_reference": self.payer_reference,
        }
