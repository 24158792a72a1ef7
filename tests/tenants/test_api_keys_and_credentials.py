from datetime import timedelta

import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from tenants.api_keys import authenticate, create_api_key, list_api_keys, revoke_api_key
from tenants.credentials import Keyring, Sealed, associated_data
from tenants.errors import CredentialsUnreadable
from tenants.onboarding import suspend
from tenants.provider_accounts import (
    PURPOSE,
    list_accounts,
    plugin_account,
    plugin_account_by_id,
    reencrypt_all,
    save_account,
)
from tenants.tables import ProviderAccount
from tests.tenants.helpers import OPERATOR, START, active_tenant, staff_context

pytestmark = pytest.mark.usefixtures("database")
OLD = "old-deployment-secret-" + "o" * 32
NEW = "new-deployment-secret-" + "n" * 32
STRIPE_KEY = "sk_test_51Hsecretvalue9876abcd"


def message(exc: pytest.ExceptionInfo) -> str:
    return exc.value.errors[0].message_id


async def test_api_key_is_shown_once_and_authenticates_until_revoked_or_expired():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        created = await create_api_key(ctx, "panel", ["orders:read", "checkout:write"])
        short = await create_api_key(
            ctx, "short", ["orders:read"], expires_at=clock.now() + timedelta(days=1)
        )
        listed = await list_api_keys(ctx)
    assert created.key.startswith(f"shk_{created.prefix}_")
    assert created.key not in repr(created)
    assert all(not hasattr(view, "key") for view in listed)
    stored = await ProviderAccount.raw("SELECT secret_hash FROM api_key WHERE id = {}", created.id)
    assert created.key.split("_", 2)[2] not in str(stored)

    principal = await authenticate(created.key, clock)
    assert principal.tenant.id == result.tenant.id and principal.allows("checkout:write")
    assert not principal.allows("orders:write")

    with pytest.raises(ValidationFailed) as exc:
        await authenticate(created.key[:-1] + ("x" if created.key[-1] != "x" else "y"), clock)
    assert message(exc) == "tenants.api_key_invalid"
    clock.advance(timedelta(days=1))
    with pytest.raises(ValidationFailed) as exc:
        await authenticate(short.key, clock)
    assert message(exc) == "tenants.api_key_expired"
    with tenant_scope(result.tenant):
        await revoke_api_key(ctx, created.id)
    with pytest.raises(ValidationFailed) as exc:
        await authenticate(created.key, clock)
    assert message(exc) == "tenants.api_key_revoked"


async def test_api_key_of_a_suspended_tenant_is_refused():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        created = await create_api_key(ctx, "panel", ["orders:read"])
    await suspend(result.tenant.id, OPERATOR, clock)
    with pytest.raises(ValidationFailed) as exc:
        await authenticate(created.key, clock)
    assert message(exc) == "tenants.tenant_not_active"


async def test_unknown_scope_is_refused():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant), pytest.raises(ValidationFailed) as exc:
        await create_api_key(ctx, "panel", ["everything"])
    assert message(exc) == "tenants.scope_unknown"


async def test_credentials_are_sealed_masked_and_bound_to_the_tenant():
    clock = FrozenClock(START)
    keyring = Keyring(OLD)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        view = await save_account(
            ctx,
            keyring,
            "payment",
            "card",
            {"statement_descriptor": "SHOMEI"},
            {"secret_key": STRIPE_KEY, "pin": "12"},
        )
        assert view.credentials == {"secret_key": "••••abcd", "pin": "••••"}
        assert STRIPE_KEY not in repr(view)
        account = await plugin_account(ctx, keyring, "payment", "card", "s" * 32, "https://x.jp")
        assert account.credentials["secret_key"] == STRIPE_KEY
        assert STRIPE_KEY not in repr(account)
        await save_account(ctx, keyring, "payment", "card", {"statement_descriptor": "NEW"})
        kept = await plugin_account_by_id(ctx, keyring, view.id, "s" * 32, "https://x.jp")
        assert (
            kept.credentials["secret_key"] == STRIPE_KEY
            and kept.config["statement_descriptor"] == "NEW"
        )
    raw = await ProviderAccount.raw("SELECT * FROM provider_account WHERE id = {}", view.id)
    assert STRIPE_KEY not in str(raw) and "abcd" not in raw[0]["credentials_ciphertext"]
    row = await ProviderAccount.objects().get(ProviderAccount.id == view.id)
    assert STRIPE_KEY not in repr(row)

    other, _ = await active_tenant(clock)  # the same ciphertext, presented as another tenant's
    sealed = Sealed(row.credentials_key_id, row.credentials_ciphertext)
    with pytest.raises(CredentialsUnreadable):
        keyring.open(sealed, associated_data(other.tenant.id, PURPOSE))


async def test_key_rotation_old_key_reads_new_key_writes_reencrypt_moves_rows():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    old = Keyring(OLD)
    with tenant_scope(result.tenant):
        await save_account(ctx, old, "provider", "digicert", {}, {"api_key": STRIPE_KEY})
    rotated = Keyring(NEW, previous_secrets=[OLD])
    assert rotated.current_id != old.current_id
    with tenant_scope(result.tenant):
        (view,) = await list_accounts(ctx, rotated)  # old key id still opens
        assert view.credentials["api_key"] == "••••abcd"
    assert (await reencrypt_all(rotated)).resealed >= 1
    row = await ProviderAccount.objects().get(ProviderAccount.id == view.id)
    assert row.credentials_key_id == rotated.current_id
    with tenant_scope(result.tenant):
        fresh = await plugin_account(ctx, Keyring(NEW), "provider", "digicert", "", "")
        assert fresh.credentials == {"api_key": STRIPE_KEY}
        with pytest.raises(CredentialsUnreadable):
            await list_accounts(ctx, old)  # the old key alone no longer reads it


async def test_reencrypt_leaves_rows_of_an_unknown_key_for_a_person_and_goes_on():
    clock = FrozenClock(START)
    lost, kept = await active_tenant(clock), await active_tenant(clock)
    stranger = Keyring("a-key-nobody-kept-" + "z" * 32)
    with tenant_scope(lost[0].tenant):
        ctx = staff_context(lost[0].tenant, lost[0].owner_id, clock)
        unreadable = await save_account(ctx, stranger, "provider", "digicert", {}, {"k": "v1"})
    with tenant_scope(kept[0].tenant):
        ctx = staff_context(kept[0].tenant, kept[0].owner_id, clock)
        readable = await save_account(ctx, Keyring(OLD), "provider", "digicert", {}, {"k": "v2"})
    report = await reencrypt_all(Keyring(NEW, previous_secrets=[OLD]))
    assert unreadable.id in report.unreadable
    row = await ProviderAccount.objects().get(ProviderAccount.id == readable.id)
    assert row.credentials_key_id == Keyring(NEW).current_id


async def test_last_used_is_written_at_most_once_a_minute():
    from datetime import timedelta

    from tenants.tables import ApiKey

    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        created = await create_api_key(ctx, "panel", ["orders:read"])
    await authenticate(created.key, clock)
    first = clock.now()
    clock.advance(timedelta(seconds=30))
    await authenticate(created.key, clock)
    row = await ApiKey.objects().get(ApiKey.id == created.id)
    assert row.last_used_at == first
    clock.advance(timedelta(seconds=31))
    await authenticate(created.key, clock)
    row = await ApiKey.objects().get(ApiKey.id == created.id)
    assert row.last_used_at == clock.now()
