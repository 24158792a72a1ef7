"""Staff of every role for the console tests, signed in on one test client per app."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.clock import Clock
from core.context import TenantRef, tenant_scope
from tenants.staff import add_staff
from tenants.tables import StaffUser
from tests.tenants.helpers import staff_context, unique
from tests.web.browser import BASE, PASSWORD, csrf_of, on_host, sign_in

ROLES = ("owner", "admin", "finance", "support", "read_only")


@dataclass
class Team:
    """A tenant's host and one staff e-mail per role (the owner is the one who signed up)."""

    tenant: TenantRef
    owner_id: int
    emails: dict[str, str]

    @property
    def host(self) -> str:
        return f"{self.tenant.slug}.{BASE}"


async def make_team(tenant: TenantRef, owner_id: int, clock: Clock) -> Team:
    ctx = staff_context(tenant, owner_id, clock)
    with tenant_scope(tenant):
        owner = await StaffUser.objects().where(StaffUser.id == owner_id).first()
        emails = {"owner": owner.email}
        for role in ROLES[1:]:
            email = f"{unique(role.replace('_', ''))}@example.jp"
            await add_staff(ctx, email, f"{role} さん", role, PASSWORD)
            emails[role] = email
        await StaffUser.update({StaffUser.must_change_password: False}).where(
            StaffUser.tenant == tenant.id
        )
    return Team(tenant, owner_id, emails)


@dataclass
class Sessions:
    """Signs each person in once and swaps the session cookie on one client."""

    client: object
    cookies: dict[tuple[str, str], str] = field(default_factory=dict)

    async def as_(self, team: Team, role: str):
        client = self.client
        on_host(client, team.host)
        client.cookies.clear()
        key = (team.host, role)
        if key in self.cookies:
            client.cookies.set("shomei_session", self.cookies[key])
        else:
            signed = await sign_in(client, "console", team.emails[role])
            assert signed.status_code == 303, signed.text
            self.cookies[key] = client.cookies.get("shomei_session") or ""
        return client


async def post(client, page: str, path: str, data: dict[str, str]):
    """GET ``page`` for its CSRF token, then POST the form to ``path``."""
    shown = await client.get(page)
    return await client.post(path, data={**data, "csrf_token": csrf_of(shown.text)})
