"""PostgreSQL row-level security under the application's own database role.

This test builds its own PostgreSQL database (owner: the administrative role) and an
application role that does not own the tables, exactly as production is set up: `shomei
migrate` runs as the owner, the application connects as the other role, and work that spans
tenants connects as a third (system) role that the application's role cannot become.
"""

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import pytest

from core import db
from core.bootstrap import check_system_role
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef, system_scope, tenant_scope
from core.errors import ConfigError
from core.outbox import record
from core.tables import OutboxEvent
from tests.app_role import APP_ROLE, SYSTEM_ROLE, app_role_database
from tests.conftest import TEST_SECRET


@pytest.fixture
async def rls_database(tmp_path):
    async with app_role_database(tmp_path) as found:
        yield found.settings, found.protected, found.owner_url, found.app_url


def _ctx(tenant_id: int) -> Context:
    return Context(
        tenant=TenantRef(id=tenant_id, slug=f"t{tenant_id}"),
        actor=Actor.system("rls-test"),
        clock=FrozenClock(datetime(2026, 11, 22, tzinfo=UTC)),
        idempotency_key=TEST_SECRET[:8],
    )


async def test_app_role_sees_no_tenant_rows_without_the_tenant_setting(rls_database):
    settings, protected, owner_url, app_url = rls_database
    assert "outbox_event" in protected
    engine = db.setup_database(settings, list(db.bound_registry().apps))
    assert (await engine.run_ddl("SELECT current_user", in_pool=False))[0][
        "current_user"
    ] == APP_ROLE

    with tenant_scope(_ctx(1).tenant):
        await record(_ctx(1), "order", 1, "order.created", {})
    with tenant_scope(_ctx(2).tenant):
        await record(_ctx(2), "order", 2, "order.created", {})
        assert [r["tenant_id"] for r in await OutboxEvent.select().run()] == [2]

    # a raw query through the application's role, without the tenant setting: nothing
    raw = await asyncpg.connect(app_url)
    try:
        assert await raw.fetchval("SELECT count(*) FROM outbox_event") == 0
        await raw.execute("SELECT set_config('shomei.tenant_id', '1', false)")
        assert await raw.fetchval("SELECT count(*) FROM outbox_event") == 1
    finally:
        await raw.close()

    # writing another tenant's row is refused by the policy's WITH CHECK
    with tenant_scope(_ctx(1).tenant), pytest.raises(asyncpg.InsufficientPrivilegeError):
        await record(_ctx(2), "order", 3, "order.created", {})

    # an explicit system scope (the outbox relay's sweep) sees every tenant
    with system_scope("test sweep"):
        assert await OutboxEvent.count().run() == 2

    # the owner (migrations) is not restricted
    owner = await asyncpg.connect(owner_url)
    try:
        assert await owner.fetchval("SELECT count(*) FROM outbox_event") == 2
    finally:
        await owner.close()


BYPASS_ATTEMPTS = (
    "SET shomei.bypass = 'on'",
    "SELECT set_config('shomei.bypass', 'on', false)",
    "SET row_security = off",
)


async def test_the_app_role_cannot_lift_isolation_by_any_setting(rls_database):
    """What an SQL injection through the app's role could try: set the old bypass setting,
    turn row security off, or become the system role. None shows another tenant's row."""
    settings, _, _, app_url = rls_database
    db.setup_database(settings, list(db.bound_registry().apps))
    for tenant_id in (1, 2):
        with tenant_scope(_ctx(tenant_id).tenant):
            await record(_ctx(tenant_id), "order", tenant_id, "order.created", {})
    raw = await asyncpg.connect(app_url)
    try:
        await raw.execute("SELECT set_config('shomei.tenant_id', '1', false)")
        for attempt in BYPASS_ATTEMPTS:
            await raw.execute(attempt)
            try:
                rows = await raw.fetch("SELECT tenant_id FROM outbox_event")
            except asyncpg.InsufficientPrivilegeError:  # row_security off: refused outright
                await raw.execute("RESET row_security")
                continue
            assert [r["tenant_id"] for r in rows] == [1], attempt
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await raw.execute(f"SET ROLE {SYSTEM_ROLE}")
        assert await raw.fetchval("SELECT current_user") == APP_ROLE
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # writing another's row
            await raw.execute(
                "INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type,"
                " payload, idempotency_key, created_at)"
                " VALUES (2, 'order', '9', 'order.created', '{}', 'forged-1', now())"
            )
    finally:
        await raw.close()
    # the app's own system scope connects as the system role and still sees every tenant
    with system_scope("test sweep"):
        assert await OutboxEvent.count().run() == 2
        rows = await db.bound_engine().run_ddl("SELECT current_user")
        assert rows[0]["current_user"] == SYSTEM_ROLE


async def test_an_app_role_under_rls_without_a_system_role_refuses_to_start(rls_database):
    """Without a system role the sweeps would silently see nothing: start-up refuses instead."""
    settings, _, owner_url, _ = rls_database
    await check_system_role(settings)  # the system role is set: fine
    with pytest.raises(ConfigError) as refused:
        await check_system_role(replace(settings, system_database_url=""))
    assert str(refused.value).startswith("SHOMEI_SYSTEM_DATABASE_URL:")
    as_owner = replace(settings, database_url=owner_url, system_database_url="")
    await check_system_role(as_owner)  # the owner (or a superuser) is not under RLS
