from datetime import timedelta

import pyotp
import pytest

from core.clock import FrozenClock
from core.context import tenant_scope
from core.errors import ValidationFailed
from tenants import totp
from tenants.credentials import Keyring
from tenants.email_verification import start_email_verification, verify_email
from tenants.logins import AccountKind, login, unlock
from tenants.operators import add_operator
from tenants.password_changes import (
    change_password,
    request_password_reset,
    reset_password,
    set_password_by_staff,
)
from tenants.staff import add_staff
from tests.tenants.helpers import START, active_tenant, staff_context, unique

pytestmark = pytest.mark.usefixtures("database")
KEYRING = Keyring("login-test-secret-" + "k" * 32)


def message(exc: pytest.ExceptionInfo) -> str:
    return exc.value.errors[0].message_id


async def test_lockout_after_five_failures_in_fifteen_minutes_for_fifteen_minutes():
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    with tenant_scope(result.tenant):
        for _ in range(4):
            with pytest.raises(ValidationFailed) as exc:
                await login(AccountKind.STAFF, form.owner_email, "wrong password!", clock)
            assert message(exc) == "tenants.login_failed"
            clock.advance(timedelta(minutes=3))
        with pytest.raises(ValidationFailed) as exc:  # 5th failure, 12 minutes after the 1st
            await login(AccountKind.STAFF, form.owner_email, "wrong password!", clock)
        assert message(exc) == "tenants.account_locked"
        clock.advance(timedelta(minutes=14))
        with pytest.raises(ValidationFailed) as exc:  # right password, still locked
            await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)
        assert message(exc) == "tenants.account_locked"
        clock.advance(timedelta(minutes=1))
        ok = await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)
        assert ok.authenticated and not ok.must_change_password


async def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock():
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    with tenant_scope(result.tenant):
        for _ in range(8):
            with pytest.raises(ValidationFailed) as exc:
                await login(AccountKind.STAFF, form.owner_email, "wrong password!", clock)
            assert message(exc) == "tenants.login_failed"
            clock.advance(timedelta(minutes=4))


async def test_unlock_by_an_administrator():
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    with tenant_scope(result.tenant):
        for _ in range(5):
            with pytest.raises(ValidationFailed):
                await login(AccountKind.STAFF, form.owner_email, "wrong password!", clock)
        await unlock(AccountKind.STAFF, result.owner_id)
        assert await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)


async def test_password_set_by_staff_must_be_changed_at_first_login():
    clock = FrozenClock(START)
    result, _ = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    email = f"{unique('s')}@example.jp"
    with tenant_scope(result.tenant):
        staff = await add_staff(ctx, email, "Support", "support", "given by owner 1")
        first = await login(AccountKind.STAFF, email, "given by owner 1", clock)
        assert first.must_change_password
        with pytest.raises(ValidationFailed) as exc:
            await change_password(AccountKind.STAFF, staff.id, "given by owner 1", email, clock)
        assert message(exc) == "tenants.password_is_email"
        await change_password(
            AccountKind.STAFF, staff.id, "given by owner 1", "my own choice 9", clock
        )
        assert not (
            await login(AccountKind.STAFF, email, "my own choice 9", clock)
        ).must_change_password
        await set_password_by_staff(AccountKind.STAFF, staff.id, "reset by owner 22")
        assert (
            await login(AccountKind.STAFF, email, "reset by owner 22", clock)
        ).must_change_password


async def test_weak_passwords_are_refused():
    clock = FrozenClock(START)
    email = f"{unique('op')}@example.jp"
    for password, expected in [
        ("short1", "tenants.password_too_short"),
        ("password1234", "tenants.password_common"),
        (email, "tenants.password_is_email"),
        ("aaaaaaaaaaaa", "tenants.password_common"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            await add_operator(email, "Op", password, clock)
        assert message(exc) == expected


async def test_duplicate_operator_email():
    clock = FrozenClock(START)
    email = f"{unique('op')}@example.jp"
    await add_operator(email, "Op", "long enough pass", clock)
    with pytest.raises(ValidationFailed) as exc:
        await add_operator(email.upper(), "Op", "long enough pass", clock)
    assert message(exc) == "tenants.email_taken"


async def test_reset_token_is_single_use_and_expires():
    clock = FrozenClock(START)
    email = f"{unique('op')}@example.jp"
    await add_operator(email, "Op", "first password 1", clock)
    token = await request_password_reset(AccountKind.OPERATOR, email, clock)
    assert await request_password_reset(AccountKind.OPERATOR, "nobody@example.jp", clock) is None
    with pytest.raises(ValidationFailed) as exc:  # weak: refused, and the token is not spent
        await reset_password(AccountKind.OPERATOR, token, "short", clock)
    assert message(exc) == "tenants.password_too_short"
    await reset_password(AccountKind.OPERATOR, token, "second password 2", clock)
    with pytest.raises(ValidationFailed) as exc:
        await reset_password(AccountKind.OPERATOR, token, "third password 3", clock)
    assert message(exc) == "tenants.token_used"
    assert (await login(AccountKind.OPERATOR, email, "second password 2", clock)).authenticated
    late = await request_password_reset(AccountKind.OPERATOR, email, clock)
    clock.advance(timedelta(hours=1))
    with pytest.raises(ValidationFailed) as exc:
        await reset_password(AccountKind.OPERATOR, late, "fourth password 4", clock)
    assert message(exc) == "tenants.token_expired"
    with pytest.raises(ValidationFailed) as exc:
        await reset_password(AccountKind.OPERATOR, "made-up", "fourth password 4", clock)
    assert message(exc) == "tenants.token_invalid"


async def test_email_verification_token_only_works_in_its_tenant():
    clock = FrozenClock(START)
    first, _ = await active_tenant(clock)
    second, _ = await active_tenant(clock)
    with tenant_scope(first.tenant):
        token = await start_email_verification(AccountKind.STAFF, first.owner_id, clock)
    with tenant_scope(second.tenant), pytest.raises(ValidationFailed) as exc:
        await verify_email(AccountKind.STAFF, token, clock)
    assert message(exc) == "tenants.token_invalid"
    with tenant_scope(first.tenant):
        assert await verify_email(AccountKind.STAFF, token, clock) == first.owner_id
        with pytest.raises(ValidationFailed) as exc:
            await verify_email(AccountKind.STAFF, token, clock)
        assert message(exc) == "tenants.token_used"


async def test_totp_second_factor_with_a_frozen_clock():
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        enrolment = await totp.begin_enrolment(ctx, KEYRING, result.owner_id)
        assert enrolment.secret not in repr(enrolment)
        authenticator = pyotp.TOTP(enrolment.secret)
        with pytest.raises(ValidationFailed) as exc:
            await totp.confirm_enrolment(ctx, KEYRING, result.owner_id, "000000")
        assert message(exc) == "tenants.totp_invalid"
        code = authenticator.at(clock.now())
        await totp.confirm_enrolment(ctx, KEYRING, result.owner_id, code)

        clock.advance(timedelta(minutes=5))
        step1 = await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)
        assert step1.second_factor_required and not step1.authenticated
        code = authenticator.at(clock.now())
        done = await login(
            AccountKind.STAFF,
            form.owner_email,
            form.owner_password,
            clock,
            totp_code=code,
            keyring=KEYRING,
        )
        assert done.authenticated
        with pytest.raises(ValidationFailed) as exc:  # the same code cannot be replayed
            await login(
                AccountKind.STAFF,
                form.owner_email,
                form.owner_password,
                clock,
                totp_code=code,
                keyring=KEYRING,
            )
        assert message(exc) == "tenants.totp_invalid"
        clock.advance(timedelta(seconds=30))  # the next step's code, within one step of drift
        code = authenticator.at(clock.now())
        assert (
            await login(
                AccountKind.STAFF,
                form.owner_email,
                form.owner_password,
                clock,
                totp_code=code,
                keyring=KEYRING,
            )
        ).authenticated


async def test_a_right_password_awaiting_its_second_factor_is_not_a_failure():
    """Each attempt is counted before its check; a right password whose TOTP code is still
    to come takes exactly its own reservation back, while wrong codes stay counted."""
    clock = FrozenClock(START)
    result, form = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    with tenant_scope(result.tenant):
        enrolment = await totp.begin_enrolment(ctx, KEYRING, result.owner_id)
        authenticator = pyotp.TOTP(enrolment.secret)
        await totp.confirm_enrolment(ctx, KEYRING, result.owner_id, authenticator.at(clock.now()))
        for _ in range(8):  # step one again and again: never locks
            step1 = await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)
            assert step1.second_factor_required
        for _ in range(4):
            with pytest.raises(ValidationFailed) as exc:
                await login(
                    AccountKind.STAFF, form.owner_email, form.owner_password, clock,
                    totp_code="000000", keyring=KEYRING,
                )  # fmt: skip
            assert message(exc) == "tenants.totp_invalid"
        step1 = await login(AccountKind.STAFF, form.owner_email, form.owner_password, clock)
        assert step1.second_factor_required
        with pytest.raises(ValidationFailed) as exc:  # the fifth wrong code locks
            await login(
                AccountKind.STAFF, form.owner_email, form.owner_password, clock,
                totp_code="000000", keyring=KEYRING,
            )  # fmt: skip
        assert message(exc) == "tenants.account_locked"
