"""Optional TOTP second factor for staff (RFC 6238, 30-second steps, one step of drift).

The shared secret is sealed like provider credentials (``tenants.credentials``), bound to the
tenant and the staff member. A code is accepted once: the last accepted time step is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyotp

from core.context import Context
from tenants.audit import audit
from tenants.credentials import Keyring, Sealed, associated_data
from tenants.errors import refuse
from tenants.scoping import scoped
from tenants.tables import StaffUser

ISSUER = "shomei"
STEP_SECONDS = 30
DRIFT_STEPS = 1


@dataclass(frozen=True)
class TotpEnrolment:
    """Shown once to the staff member: the secret and the ``otpauth://`` URI for a QR code."""

    secret: str
    provisioning_uri: str

    def __repr__(self) -> str:
        return "TotpEnrolment(secret=<hidden>)"


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime, last_step: int) -> int | None:
    """The time step ``code`` belongs to (within the drift), or None; steps ≤ last are spent."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    code = code.strip().replace(" ", "")
    now_step = time_step(at)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step > last_step and pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _aad(tenant_id: int, staff_id: int) -> bytes:
    return associated_data(tenant_id, f"totp/staff/{staff_id}")


def open_secret(keyring: Keyring, row: StaffUser) -> str:
    sealed = Sealed(row.totp_key_id, row.totp_ciphertext)
    return keyring.open(sealed, _aad(row.tenant, row.id)).decode()


async def begin_enrolment(ctx: Context, keyring: Keyring, staff_id: int) -> TotpEnrolment:
    """Store a new (not yet active) secret for the staff member and return it once."""
    row = await scoped(StaffUser, ctx).objects().where(StaffUser.id == staff_id).first()
    if row is None:
        refuse("staff", "tenants.staff_unknown")
    if row.totp_enabled:
        refuse("totp_code", "tenants.totp_already_enabled")
    secret = pyotp.random_base32()
    sealed = keyring.seal(secret.encode(), _aad(row.tenant, row.id))
    await (
        scoped(StaffUser, ctx)
        .update(
            {StaffUser.totp_ciphertext: sealed.ciphertext, StaffUser.totp_key_id: sealed.key_id}
        )
        .where(StaffUser.id == staff_id)
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=row.email, issuer_name=ISSUER)
    return TotpEnrolment(secret, uri)


async def confirm_enrolment(ctx: Context, keyring: Keyring, staff_id: int, code: str) -> None:
    """Turn the second factor on once the person proves their authenticator shows the code."""
    row = await scoped(StaffUser, ctx).objects().where(StaffUser.id == staff_id).first()
    if row is None or not row.totp_ciphertext:
        refuse("totp_code", "tenants.totp_not_started")
    step = matching_step(open_secret(keyring, row), code, ctx.clock.now(), row.totp_last_step)
    if step is None:
        refuse("totp_code", "tenants.totp_invalid")
    await (
        scoped(StaffUser, ctx)
        .update({StaffUser.totp_enabled: True, StaffUser.totp_last_step: step})
        .where(StaffUser.id == staff_id)
    )
    await audit(ctx, "staff.totp_enabled", "staff_user", staff_id)


async def disable(ctx: Context, staff_id: int) -> None:
    await (
        scoped(StaffUser, ctx)
        .update(
            {
                StaffUser.totp_enabled: False,
                StaffUser.totp_ciphertext: "",
                StaffUser.totp_key_id: "",
                StaffUser.totp_last_step: 0,
            }
        )
        .where(StaffUser.id == staff_id)
    )
    await audit(ctx, "staff.totp_disabled", "staff_user", staff_id)


async def reseal_all(keyring: Keyring) -> int:
    """Re-seal every TOTP secret not sealed with the current key (after a key rotation)."""
    rows = await StaffUser.objects().where(
        (StaffUser.totp_key_id != keyring.current_id) & (StaffUser.totp_ciphertext != "")
    )
    for row in rows:
        fresh = keyring.seal(open_secret(keyring, row).encode(), _aad(row.tenant, row.id))
        await StaffUser.update(
            {StaffUser.totp_ciphertext: fresh.ciphertext, StaffUser.totp_key_id: fresh.key_id}
        ).where((StaffUser.id == row.id) & (StaffUser.totp_key_id == row.totp_key_id))
    return len(rows)
