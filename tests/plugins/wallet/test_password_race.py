"""Twenty wrong wallet passwords at the same moment: at most five are checked before the lock
(``tenants.attempts``, the mechanism console logins use too). On PostgreSQL the attempts run on
concurrent connections of the app role, under row-level security."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.clock import FrozenClock
from core.errors import ValidationFailed
from plugins.wallet import ledger
from plugins.wallet.tables import Wallet
from tenants.lockout import MAX_FAILURES
from tests.app_role import concurrent_database  # noqa: F401  (the fixture)
from tests.plugins.wallet.helpers import PASSWORD, WHEN, context
from tests.races import answer, counting

ATTEMPTS = 20


async def test_twenty_concurrent_wrong_wallet_passwords_check_at_most_five(
    concurrent_database: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = context(clock=FrozenClock(WHEN))
    wallet = await ledger.open_wallet(ctx, 31, PASSWORD)
    checked = counting(monkeypatch, ledger)
    answers = await asyncio.gather(
        *(
            answer(ledger.authenticate(ctx, wallet.wallet_code, f"wrong {n}!"))
            for n in range(ATTEMPTS)
        )
    )
    assert len(checked) <= MAX_FAILURES
    assert answers.count("wallet.login_failed") == MAX_FAILURES - 1
    assert answers.count("wallet.locked") == ATTEMPTS - MAX_FAILURES + 1
    with pytest.raises(ValidationFailed):  # even the right password, while locked
        await ledger.authenticate(ctx, wallet.wallet_code, PASSWORD)
    assert len(checked) <= MAX_FAILURES
    with ledger.scope(ctx):
        row = await Wallet.objects().where(Wallet.id == wallet.id).first()
    assert row is not None and row.locked_until is not None
