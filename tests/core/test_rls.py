"""PostgreSQL row-level security under the application's own database role.

This test builds its own PostgreSQL database (owner: the administrative role) and an
application role that does not own the tables, exactly as production is set up: `shomei
migrate` runs as the owner, the application connects as the other role.
"""

import secrets
from datetime import UTC, datetime

import asyncpg
import pytest

from core import db
from core.bootstrap import migrate_database
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef, system_scope, tenant_scope
from core.outbox import record
from core.tables import OutboxEvent
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    REDIS_URL,
    TEST_SECRET,
    DatabaseUnderTest,
    _postgres_url,
    make_settings,
)

APP_ROLE = "shomei_app_test"
APP_PASSWORD = "app-role-password"


@pytest.fixture
async def rls_database(tmp_path):
    name = f"shomei_rls_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE)
        if not exists:
            await admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'")
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    owner_url = _postgres_url(name)
    host_part = owner_url.split("@", 1)[1]
    app_url = f"postgresql://{APP_ROLE}:{APP_PASSWORD}@{host_part}"
    settings = make_settings(
        tmp_path,
        DatabaseUnderTest("postgres", app_url),
        migration_database_url=owner_url,
        broker_url=REDIS_URL,
    )
    try:  # put back whatever engine the session had bound when this test is done
        previous = (db.bound_engine(), list(db.bound_registry().apps))
    except RuntimeError:
        previous = None
    try:
        protected = await migrate_database(settings)
        yield settings, protected, owner_url, app_url
    finally:
        if previous:
            db.bind_engine(*previous)
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


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
