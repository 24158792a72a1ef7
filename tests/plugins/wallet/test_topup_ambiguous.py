"""Issue 13, defect 7 follow-up: a card top-up whose answer is lost is never charged twice.

A loopback proxy between shomei and localstripe forwards the first PaymentIntent creation and
drops the answer (localstripe has created, and charged, the intent). The claim of the key is
kept — the request cannot tell a lost answer from no intent — so a retry at once is "in
progress", and the retry that takes the stale claim over finds the intent at the processor (by
the claim's ``shomei_attempt`` metadata) instead of starting a second one: one intent, one
credit. A clear refusal (a 4xx) frees the key at once; a repeated key of a 3-D Secure top-up
still gets the client secret to finish it. localstripe ignores Idempotency-Key, so none of this
rests on the processor honouring it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.contracts.common import PluginAccount
from core.contracts.payments import PaymentNotStarted
from plugins.card.adapter import ATTEMPT_METADATA, CardAdapter
from plugins.card.client import CardProviderError
from plugins.wallet import ledger
from plugins.wallet.tables import LedgerTransaction, WalletTopup
from plugins.wallet.topup_claims import STALE, TopupInProgress
from plugins.wallet.topups import CardTopup, start_card_topup
from tests.plugins.card.conftest import SECRET_KEY, localstripe
from tests.plugins.card.test_card_payments import THREE_D_SECURE_CARD, card_method
from tests.plugins.wallet.helpers import PASSWORD, WHEN, assert_ledger_ok, context

__all__ = ["localstripe"]
AMOUNT = 7_000
CREATE = b"POST /v1/payment_intents "


class DroppingProxy:
    """A TCP proxy on 127.0.0.1 to localstripe that forwards everything, except that it closes
    the connection instead of passing on the answer to the first ``drops`` intent creations."""

    def __init__(self, upstream: str, drops: int = 1) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.drops = drops
        self.dropped = 0
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def start(self) -> DroppingProxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection(self.host, self.port)
        drop = asyncio.Event()

        async def requests() -> None:
            while chunk := await client_r.read(65536):
                if chunk.startswith(CREATE) and self.dropped < self.drops:
                    self.dropped += 1
                    drop.set()
                up_w.write(chunk)
                await up_w.drain()

        async def answers() -> None:
            while chunk := await up_r.read(65536):
                if drop.is_set():  # the intent is made; its answer never arrives
                    break
                client_w.write(chunk)
                await client_w.drain()

        tasks = [asyncio.ensure_future(requests()), asyncio.ensure_future(answers())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the proxy closes with a connection still open
            pass
        finally:
            for task in tasks:
                task.cancel()
            for writer in (client_w, up_w):
                writer.close()


@pytest.fixture
async def proxy(localstripe: str) -> AsyncIterator[DroppingProxy]:
    found = await DroppingProxy(localstripe).start()
    yield found
    await found.close()


async def _intents_of(base: str, attempt_prefix: str) -> list[dict[str, Any]]:
    """Every intent localstripe holds for the attempts starting so (read directly)."""
    found: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=base, auth=(SECRET_KEY, "")) as http:
        after = ""
        while True:
            params = {"limit": 100, **({"starting_after": after} if after else {})}
            page = (await http.get("/v1/payment_intents", params=params)).json()
            found.extend(page["data"])
            if not page.get("has_more") or not page["data"]:
                break
            after = page["data"][-1]["id"]
    return [
        i
        for i in found
        if (i.get("metadata") or {}).get(ATTEMPT_METADATA, "").startswith(attempt_prefix)
    ]


async def _top_up(ctx: Any, wallet: ledger.WalletView, card: CardAdapter, method: str) -> CardTopup:
    with tenant_scope(ctx.tenant):
        return await start_card_topup(ctx, wallet, AMOUNT, card, method)


async def _claims(ctx: Any) -> list[dict[str, Any]]:
    with ledger.scope(ctx):
        return await WalletTopup.select().where(WalletTopup.tenant_id == ctx.tenant.id)


async def test_a_lost_answer_then_retries_credit_once_and_create_one_intent(
    database: Any, localstripe: str, proxy: DroppingProxy
) -> None:
    clock = FrozenClock(WHEN)
    ctx = context(key="topup-lost-0001", clock=clock)
    wallet = await ledger.open_wallet(ctx, 51, PASSWORD)
    card = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), api_base=proxy.url)

    with pytest.raises(CardProviderError) as lost:
        await _top_up(ctx, wallet, card, "pm_card_visa")
    assert not isinstance(lost.value, PaymentNotStarted)  # ambiguous: it may have started
    assert proxy.dropped == 1
    [claim] = await _claims(ctx)
    assert claim["payment_intent"] == ""  # kept, not given up
    prefix = f"wallet-topup:{ctx.tenant.id}:"
    [made] = await _intents_of(localstripe, prefix)
    assert made["status"] == "succeeded"  # charged at the processor, answer lost

    with pytest.raises(TopupInProgress):  # a retry at once does not start another
        await _top_up(ctx, wallet, card, "pm_card_visa")

    clock.advance(STALE)
    taken = await _top_up(ctx, wallet, card, "pm_card_visa")
    assert (taken.status, taken.payment_intent) == ("credited", made["id"])
    again = await _top_up(ctx, wallet, card, "pm_card_visa")
    assert (again.status, again.payment_intent) == ("credited", made["id"])

    assert [i["id"] for i in await _intents_of(localstripe, prefix)] == [made["id"]]
    assert await ledger.balance(ctx, wallet.id) == AMOUNT
    with ledger.scope(ctx):
        credits = await LedgerTransaction.count().where(
            (LedgerTransaction.tenant_id == ctx.tenant.id) & (LedgerTransaction.kind == "topup")
        )
    assert credits == 1
    [claim] = await _claims(ctx)
    assert claim["payment_intent"] == made["id"]
    await assert_ledger_ok(ctx)


async def test_a_clear_refusal_frees_the_key_at_once(database: Any, localstripe: str) -> None:
    ctx = context(key="topup-refused-0001", clock=FrozenClock(WHEN))
    wallet = await ledger.open_wallet(ctx, 52, PASSWORD)
    card = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), api_base=localstripe)
    with pytest.raises(PaymentNotStarted):  # localstripe: 404, no such payment method
        await _top_up(ctx, wallet, card, "pm_does_not_exist")
    assert await _claims(ctx) == []
    done = await _top_up(ctx, wallet, card, "pm_card_visa")  # the same key, at once
    assert done.status == "credited" and await ledger.balance(ctx, wallet.id) == AMOUNT


async def test_a_repeated_three_d_secure_top_up_can_still_be_finished(
    database: Any, localstripe: str
) -> None:
    ctx = context(key="topup-3ds-again-0001", clock=FrozenClock(WHEN))
    wallet = await ledger.open_wallet(ctx, 53, PASSWORD)
    card = CardAdapter(PluginAccount(credentials={"secret_key": SECRET_KEY}), api_base=localstripe)
    method = await card_method(card, THREE_D_SECURE_CARD)
    first = await _top_up(ctx, wallet, card, method)
    assert first.status == "requires_action" and first.client_secret
    again = await _top_up(ctx, wallet, card, method)  # the page was reloaded, say
    assert (again.status, again.payment_intent) == ("requires_action", first.payment_intent)
    assert again.client_secret == first.client_secret
