"""The operator's DigiCert contract page (plugins/digicert/contract_page.py): the tenant page
links to it, it waits for the tenant's DigiCert account, refuses what is missing or bad naming
the field, and stores the contract and its price table; the tenant's console then offers the
price table's products."""

from __future__ import annotations

import pytest

from core.catalog.wholesale import list_price_tables
from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from plugins.digicert.contracts import get_contract
from tenants.audit import list_audit
from tenants.credentials import Keyring
from tenants.provider_accounts import save_account
from tenants.tables import ProviderAccount
from tests.plugins.digicert.conftest import API_KEY, START
from tests.plugins.digicert.shop import PRICE_CSV
from tests.tenants.helpers import active_tenant, staff_context
from tests.web.browser import BASE, browser, browser_settings, csrf_of, make_app, make_operator
from tests.web.browser import sign_in as sign_in_area

BALANCE = "１００，０００"  # noqa: RUF001 (typed with a Japanese input method)
CONTRACT = {
    "contract_type": "pay_as_you_go",
    "payment_term": "NET30EOM",
    "account_balance": "0",
    "contract_end": "2030-03-31",
    "issuer.name": "デジサート・ジャパン合同会社",
    "issuer.registration_number": "T7000012050002",
    "issuer.postal_code": "104-0061",
    "issuer.address": "東京都中央区銀座6-10-1",
    "issuer.phone": "03-4560-3971",
    "issuer.email": "billing@example.jp",
    "bank_account.bank_name": "三井住友銀行",
    "bank_account.branch_name": "ツバキ支店",
    "bank_account.branch_code": "879",
    "bank_account.account_type": "当座",
    "bank_account.account_number": "0249302",
    "bank_account.account_holder": "デジサートジャパン(ド",
}


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path, database):
    return browser_settings(tmp_path, database)


@pytest.fixture
def app(settings, clock):
    return make_app(settings, clock=clock)


@pytest.fixture
async def tenant(clock):
    result, _ = await active_tenant(clock)
    yield result
    await ProviderAccount.delete().where(ProviderAccount.tenant == result.tenant.id)


async def price_table_missing(ctx) -> bool:
    try:
        await get_contract(ctx)
    except ValidationFailed:
        return not await list_price_tables(ctx)
    return False


async def _send(client, path: str, data: dict[str, str], content: bytes | None):
    token = csrf_of((await client.get(path)).text)
    files = {"file": ("prices.csv", content, "text/csv")} if content is not None else None
    return await client.post(path, data={**data, "csrf_token": token}, files=files)


async def test_operator_sets_the_contract_through_its_page(app, settings, clock, tenant):
    path = f"/operator/tenants/{tenant.tenant.id}/digicert/contract"
    async with browser(app, BASE) as client:
        email = await make_operator(clock)
        assert (await sign_in_area(client, "operator", email)).status_code == 303
        detail = await client.get(f"/operator/tenants/{tenant.tenant.id}?lang=en")
        assert f'href="{path}"' in detail.text and "DigiCert contract" in detail.text
        waiting = await client.get(path + "?lang=ja")
        assert (
            waiting.status_code == 200 and "DigiCert アカウントを登録していません" in waiting.text
        )

        ctx = staff_context(tenant.tenant, tenant.owner_id, clock)
        with tenant_scope(tenant.tenant):
            await save_account(
                ctx, Keyring.from_settings(settings), "provider", "digicert",
                {"base_url": "https://dc.example.test/services/v2"}, {"api_key": API_KEY},
            )  # fmt: skip
        blank = await client.get(path + "?lang=en")
        assert 'name="issuer.registration_number"' in blank.text

        no_file = await _send(client, path + "?lang=en", {**CONTRACT, "contract_end": ""}, None)
        assert no_file.status_code == 400
        assert 'id="file-error"' in no_file.text and 'id="contract_end-error"' in no_file.text
        bad_csv = await _send(client, path + "?lang=en", CONTRACT, "製品名,定価\nx,1\n".encode())
        assert bad_csv.status_code == 400 and 'id="file-error"' in bad_csv.text
        bad_balance = await _send(
            client, path + "?lang=ja", {**CONTRACT, "account_balance": "たくさん"}, PRICE_CSV
        )
        assert bad_balance.status_code == 400 and 'id="account_balance-error"' in bad_balance.text
        assert "アカウント残高（円）: 金額は円単位の整数" in bad_balance.text  # noqa: RUF001

        wrong_number = {**CONTRACT, "issuer.registration_number": "T7000012050003"}
        refused = await _send(client, path + "?lang=en", wrong_number, PRICE_CSV)
        assert refused.status_code == 400
        assert 'id="issuer.registration_number-error"' in refused.text
        assert 'value="T7000012050003"' in refused.text
        with tenant_scope(tenant.tenant):  # nothing is stored: neither contract nor price table
            actions = [entry.action for entry in (await list_audit()).entries]
            assert "digicert.contract.set" not in actions
            assert await price_table_missing(ctx)

        saved = await _send(client, path, {**CONTRACT, "account_balance": BALANCE}, PRICE_CSV)
        assert saved.status_code == 303
        shown = await client.get(path + "?lang=ja")
        assert "契約を保存しました" not in shown.text  # the notice is on the redirect target only
        shown = await client.get(saved.headers["location"] + "&lang=ja")
        assert "契約を保存しました" in shown.text and 'id="price-table"' in shown.text
        assert "17,600円" in shown.text and "24か月" in shown.text
        assert 'value="NET30EOM" selected' in shown.text and 'value="100000"' in shown.text
        kept = {**CONTRACT, "payment_term": "NET60", "account_balance": "100000"}
        again = await _send(client, path, kept, None)
        assert again.status_code == 303  # the price table in force is kept without a file
    with tenant_scope(tenant.tenant):
        contract = await get_contract(ctx)
        log = [entry.action for entry in (await list_audit()).entries]
    assert (contract.contract_type, contract.payment_term, contract.account_balance) == (
        "pay_as_you_go", "NET60", 100_000,
    )  # fmt: skip
    assert contract.issuer.registration_number == "T7000012050002"
    assert log.count("digicert.contract.set") == 2


async def test_a_bulk_contract_takes_its_effective_date_and_minimum_purchase(
    app, settings, clock, tenant
):
    path = f"/operator/tenants/{tenant.tenant.id}/digicert/contract"
    ctx = staff_context(tenant.tenant, tenant.owner_id, clock)
    with tenant_scope(tenant.tenant):
        await save_account(
            ctx, Keyring.from_settings(settings), "provider", "digicert",
            {"base_url": "https://dc.example.test/services/v2"}, {"api_key": API_KEY},
        )  # fmt: skip
    bulk = {**CONTRACT, "contract_type": "bulk"}
    async with browser(app, BASE) as client:
        email = await make_operator(clock)
        assert (await sign_in_area(client, "operator", email)).status_code == 303
        missing = await _send(client, path + "?lang=ja", bulk, PRICE_CSV)
        assert missing.status_code == 400 and 'id="effective_on-error"' in missing.text
        typed = {**bulk, "effective_on": "2026-04-01", "minimum_purchase": "１，０００，０００"}  # noqa: RUF001
        saved = await _send(client, path, typed, PRICE_CSV)
        assert saved.status_code == 303
        shown = await client.get(saved.headers["location"] + "&lang=en")
        assert 'value="2026-04-01"' in shown.text and 'value="1000000"' in shown.text
    with tenant_scope(tenant.tenant):
        contract = await get_contract(ctx)
    assert (contract.contract_type, str(contract.effective_on), contract.minimum_purchase) == (
        "bulk", "2026-04-01", 1_000_000,
    )  # fmt: skip
