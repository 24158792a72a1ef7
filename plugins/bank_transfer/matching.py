"""Match incoming transfer lines to open payment expectations: a pure function.

The rules, in order, for each incoming line (credits that are not cancellations; a
statement's withdrawals are skipped, a transfer notice's cancellation records are reported):

1. **Virtual account.** The line's receiving account number equals an expectation's
   ``virtual_account``: the line pays that expectation (several, oldest id first, when
   several share the virtual account).
2. **Payer references.** The payer's name begins with one or more references of open
   expectations (``A1B2C3 ﾔﾏﾀﾞ ﾀﾛｳ``, ``A1B2C3 D4E5F6 ｶ)ﾔﾏﾀﾞ``; separated by spaces, commas,
   dots, hyphens or slashes, or glued to the name): the line pays those, in the order written.
3. **Exact sum of one customer's orders.** When a single reference was written, the amount is
   more than that expectation's due, and it equals exactly the sum of every open expectation
   of the same customer (two or more), the line pays all of them (the referenced one first,
   then by id). Any other surplus stays an over-payment of the referenced expectation.
4. Otherwise the line goes to the unmatched queue (reason ``unknown_payer``).

A line's money is spread over its expectations in order: each receives up to its due, and what
remains after the last one is that one's surplus (over-payment). Dues are tracked across the
lines of one call, so two partial transfers of one order add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.contracts.common import Yen
from core.contracts.payments import PaymentOutcome, PaymentState
from core.payments.bank_backend import OpenPayment
from plugins.bank_transfer.records import TransferLine

REFERENCE_LENGTH = 6
_SEPARATORS = re.compile(r"^[\s,.\-/]+")

__all__ = ["Allocation", "MatchResult", "OpenPayment", "UnmatchedItem", "match_transfers"]


@dataclass(frozen=True)
class Allocation:
    """Part (or all) of one line's money attributed to one payable."""

    line: TransferLine
    payable_type: str
    payable_id: int
    amount: Yen
    """Money attributed to the payable, surplus included."""
    due_before: Yen
    remaining_due: Yen
    surplus: Yen
    rule: str  # virtual_account | reference | reference_list | customer_sum | manual

    @property
    def kind(self) -> str:
        if self.surplus:
            return "overpaid"
        return "partial" if self.remaining_due else "exact"

    @property
    def reference(self) -> str:
        """Unique per line and payable: one line paying two orders gives two outcomes."""
        return f"{self.line.reference}:{self.payable_type}:{self.payable_id}"

    def outcome(self) -> PaymentOutcome:
        state = PaymentState.PARTIAL if self.remaining_due else PaymentState.SUCCEEDED
        return PaymentOutcome(
            state=state,
            reference=self.reference,
            payable_type=self.payable_type,
            payable_id=self.payable_id,
            amount=self.amount,
        )


@dataclass(frozen=True)
class UnmatchedItem:
    """A line for the finance list: nobody could be found, or it cancels an earlier transfer."""

    line: TransferLine
    reason: str  # unknown_payer | cancellation


@dataclass(frozen=True)
class MatchResult:
    allocations: tuple[Allocation, ...]
    unmatched: tuple[UnmatchedItem, ...]

    def outcomes(self) -> list[PaymentOutcome]:
        return [allocation.outcome() for allocation in self.allocations]


def leading_references(payer_name: str, known: Iterable[str]) -> list[str]:
    """The known references the payer's name begins with, in the order written."""
    wanted = {ref.upper() for ref in known if ref}
    found: list[str] = []
    rest = payer_name.upper()
    while True:
        rest = _SEPARATORS.sub("", rest)
        candidate = rest[:REFERENCE_LENGTH]
        if len(candidate) < REFERENCE_LENGTH or candidate not in wanted:
            return found
        if candidate not in found:
            found.append(candidate)
        rest = rest[REFERENCE_LENGTH:]


def _digits(value: str) -> str:
    return value.lstrip("0")


def match_transfers(
    lines: Iterable[TransferLine], expectations: Iterable[OpenPayment]
) -> MatchResult:
    """Outcomes for ``lines`` against ``expectations`` (see the module docstring)."""
    open_payments = list(expectations)
    due = {payment.key: payment.amount_due for payment in open_payments}
    by_reference = {p.payer_reference.upper(): p for p in open_payments if p.payer_reference}
    allocations: list[Allocation] = []
    unmatched: list[UnmatchedItem] = []
    for line in lines:
        if not line.credit:
            continue
        if line.cancelled:
            unmatched.append(UnmatchedItem(line, "cancellation"))
            continue
        targets, rule = _targets(line, open_payments, by_reference, due)
        if not targets:
            unmatched.append(UnmatchedItem(line, "unknown_payer"))
            continue
        allocations.extend(allocate(line, targets, due, rule))
    return MatchResult(tuple(allocations), tuple(unmatched))


def _targets(
    line: TransferLine,
    open_payments: list[OpenPayment],
    by_reference: dict[str, OpenPayment],
    due: dict[tuple[str, int], Yen],
) -> tuple[list[OpenPayment], str]:
    account = _digits(line.account.account_number)
    by_account = sorted(
        (p for p in open_payments if p.virtual_account and _digits(p.virtual_account) == account),
        key=lambda p: p.payable_id,
    )
    if by_account:
        return by_account, "virtual_account"
    references = leading_references(line.payer_name, by_reference)
    if len(references) > 1:
        return [by_reference[ref] for ref in references], "reference_list"
    if not references:
        return [], ""
    named = by_reference[references[0]]
    siblings = [p for p in open_payments if p.customer_id == named.customer_id]
    total = sum(due[p.key] for p in siblings)
    if line.amount > due[named.key] and len(siblings) > 1 and line.amount == total:
        others = sorted((p for p in siblings if p is not named), key=lambda p: p.payable_id)
        return [named, *others], "customer_sum"
    return [named], "reference"


def allocate(
    line: TransferLine,
    targets: list[OpenPayment],
    due: dict[tuple[str, int], Yen],
    rule: str,
) -> list[Allocation]:
    """Spread the line's amount over ``targets`` in order; ``due`` is updated in place."""
    result: list[Allocation] = []
    left = line.amount
    for index, target in enumerate(targets):
        last = index == len(targets) - 1
        before = due.get(target.key, target.amount_due)
        applied = left if last else min(left, before)
        if applied <= 0:
            break
        surplus = max(applied - before, 0)
        remaining = max(before - applied, 0)
        due[target.key] = remaining
        left -= applied
        result.append(
            Allocation(
                line=line,
                payable_type=target.payable_type,
                payable_id=target.payable_id,
                amount=applied,
                due_before=before,
                remaining_due=remaining,
                surplus=surplus,
                rule=rule,
            )
        )
    return result


def assign_manually(line: TransferLine, target: OpenPayment) -> Allocation:
    """Finance staff assign an unmatched line by hand: the same kind of outcome, rule ``manual``."""
    return allocate(line, [target], {target.key: target.amount_due}, "manual")[0]
