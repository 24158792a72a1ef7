"""PostgreSQL row-level security under the application's own database role.

This test builds its own PostgreSQL database (owner: the administrative role) and an
application role that does not own the tables, exactly as production is set up: `shomei
migrate` runs as the owner, the application connects as the other role, and work that spans
tenants connects as a third (system) role that the application's role cannot become.

The tenant setting the policies read is tagged with an HMAC under a key only the owner's
function can read (``core.rls``): the app role can set it to anything, but can forge no
tenant but the one its connection carries.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from core import db
from core.bootstrap import check_system_role, check_tenant_key, migrate_database
from core.clock import FrozenClock
from core.context import Actor, Context, TenantRef, system_scope, tenant_scope
from core.errors import ConfigError
from core.outbox import record
from core.rls import tenant_setting, tenant_setting_key
from core.tables import OutboxEvent
from tests.app_role import APP_ROLE, SYSTEM_ROLE, app_role_database
from tests.conftest import TEST_SECRET


@pytest.fixture
async def rls_database(tmp_path):
    async with app_role_database(tmp_path) as found:
        yield found.settings, found.protected, found.owner_url, found.app_url


def _tagged(settings, tenant_id: int) -> str:
    """The tenant setting the app itself would put on a connection for ``tenant_id``."""
    return tenant_setting(tenant_id, tenant_setting_key(settings.secret_key))


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
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 1))
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
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 1))
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


def _forgeries(settings) -> Iterator[tuple[str, str | None]]:
    """What an SQL injection through the app role, on a connection of tenant 1, could put in
    the tenant setting to reach tenant 2 (None: reset it, as if never set)."""
    own = _tagged(settings, 1)
    own_tag = own.split(".", 1)[1]
    other_key = tenant_setting_key("another deployment's secret key, 32+ chars")
    yield "the bare id, as before issue 13", "2"
    yield "the bare id with a dot", "2."
    yield "a made-up tag", "2." + "0" * 64
    yield "tenant 1's tag replayed for id 2", f"2.{own_tag}"
    yield "tenant 1's tag on id 2 padded with zeros", f"02.{own_tag}"
    yield "tag under another secret key", tenant_setting(2, other_key)
    yield "the right tag in upper case", _tagged(settings, 2).upper()
    yield "HMAC of the id keyed by nothing", "2." + hmac.new(b"", b"2", hashlib.sha256).hexdigest()
    yield "the plain SHA-256 of the id", "2." + hashlib.sha256(b"2").hexdigest()
    yield "the empty setting", ""
    yield "the setting reset", None


async def test_a_forged_tenant_setting_shows_and_writes_no_other_tenants_row(rls_database):
    """Issue 13 §6: any role may set ``shomei.tenant_id``, so the policies believe only a tag
    made with the deployment's key. Every forgery an injection could try sees no row of the
    other tenant (nor its own: an untagged setting is no tenant) and can write none."""
    settings, _, _, app_url = rls_database
    db.setup_database(settings, list(db.bound_registry().apps))
    for tenant_id in (1, 2):
        with tenant_scope(_ctx(tenant_id).tenant):
            await record(_ctx(tenant_id), "order", tenant_id, "order.created", {})
    raw = await asyncpg.connect(app_url)
    try:
        for label, value in _forgeries(settings):
            await raw.execute(
                "SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 1)
            )
            if value is None:
                await raw.execute("RESET shomei.tenant_id")
            else:
                await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", value)
            assert await raw.fetchval("SELECT shomei_current_tenant()") is None, label
            assert await raw.fetchval("SELECT count(*) FROM outbox_event") == 0, label
            updated = await raw.execute("UPDATE outbox_event SET event_type = 'x' WHERE true")
            assert updated == "UPDATE 0", label
            with pytest.raises(asyncpg.InsufficientPrivilegeError):  # WITH CHECK refuses
                await raw.execute(
                    "INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id,"
                    " event_type, payload, idempotency_key, created_at)"
                    " VALUES (2, 'order', '9', 'order.created', '{}', 'forged-2', now())"
                )
        # the legitimate path: the app's own tagged setting sees exactly its tenant's row
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 2))
        assert await raw.fetchval("SELECT shomei_current_tenant()") == 2
        assert [r["tenant_id"] for r in await raw.fetch("SELECT tenant_id FROM outbox_event")] == [
            2
        ]
    finally:
        await raw.close()
    with tenant_scope(_ctx(1).tenant):  # and the app's engine, in a tenant scope, likewise
        assert [r["tenant_id"] for r in await OutboxEvent.select().run()] == [1]


async def test_the_app_role_cannot_read_the_key_or_replace_the_function(rls_database):
    """The key lives in a schema the app role has no privilege on; the function belongs to
    the owner. An injection can neither read the key nor swap the check."""
    _, _, _, app_url = rls_database
    raw = await asyncpg.connect(app_url)
    try:
        for query in (
            "SELECT inner_key FROM shomei_private.tenant_setting_key",
            "DELETE FROM shomei_private.tenant_setting_key",
            "CREATE OR REPLACE FUNCTION public.shomei_current_tenant() RETURNS integer"
            " LANGUAGE sql AS 'SELECT 2'",
            "ALTER FUNCTION public.shomei_current_tenant() SECURITY INVOKER",
            "DROP POLICY shomei_tenant_isolation ON outbox_event",
            "ALTER TABLE outbox_event DISABLE ROW LEVEL SECURITY",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await raw.execute(query)
        # the function's own privileges are not the caller's: a temporary table of the same
        # name as the key table does not stand in for it
        await raw.execute(
            "CREATE TEMP TABLE tenant_setting_key (one boolean, inner_key bytea, outer_key bytea)"
        )
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", "2." + "0" * 64)
        assert await raw.fetchval("SELECT shomei_current_tenant()") is None
    finally:
        await raw.close()


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


async def test_the_policy_is_checked_once_per_statement_and_keeps_the_tenant_index(
    rls_database,
):
    """The policy compares the tenant column with a scalar subquery: an InitPlan run once per
    statement, whose value an index on the tenant column can serve — not a function call on
    every row of a sequential scan."""
    settings, _, owner_url, app_url = rls_database
    owner = await asyncpg.connect(owner_url)
    try:
        assert await owner.fetchval(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'outbox_event'"
            " AND indexdef LIKE '%(tenant_id)%'"
        )
        await owner.execute(
            "INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type,"
            " payload, idempotency_key, created_at)"
            " SELECT n % 50 + 1, 'order', n::text, 'order.created', '{}', 'k-' || n, now()"
            " FROM generate_series(1, 5000) AS n"
        )
        await owner.execute("ANALYZE outbox_event")
    finally:
        await owner.close()
    raw = await asyncpg.connect(app_url)
    try:
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 7))
        await raw.execute("SET enable_seqscan = off")  # a seq scan only if nothing else can
        text = await raw.fetchval(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id, event_type FROM outbox_event"
        )
        assert await raw.fetchval("SELECT count(*) FROM outbox_event") == 100
    finally:
        await raw.close()
    nodes = list(_plan_nodes(json.loads(text)[0]["Plan"]))
    scans = [n for n in nodes if n.get("Relation Name") == "outbox_event" or "Index Cond" in n]
    assert any(
        n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
        and "tenant_id" in n.get("Index Cond", "")
        for n in scans
    ), nodes
    assert not any("shomei_current_tenant" in n.get("Filter", "") for n in nodes), nodes
    initplans = [n for n in nodes if n.get("Parent Relationship") == "InitPlan"]
    assert initplans and all(n["Actual Loops"] == 1 for n in initplans), nodes


async def test_a_key_rotation_is_one_migrate_and_a_stale_key_refuses_to_start(rls_database):
    """``shomei migrate`` stores the key of the secret key it runs with: after a migrate with a
    new secret key the old tags mean nothing, and a process still holding the old key refuses
    to start (it would otherwise see no row) with a sentence naming the setting."""
    settings, _, _, app_url = rls_database
    await check_tenant_key(settings)  # the key migrate stored: fine
    rotated = replace(settings, secret_key="a brand new secret key of at least 32 characters")
    with pytest.raises(ConfigError) as refused:
        await check_tenant_key(rotated)
    assert str(refused.value).startswith("SHOMEI_SECRET_KEY:")
    await migrate_database(rotated)
    await check_tenant_key(rotated)
    with pytest.raises(ConfigError):
        await check_tenant_key(settings)
    raw = await asyncpg.connect(app_url)
    try:
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(settings, 3))
        assert await raw.fetchval("SELECT shomei_current_tenant()") is None
        await raw.execute("SELECT set_config('shomei.tenant_id', $1, false)", _tagged(rotated, 3))
        assert await raw.fetchval("SELECT shomei_current_tenant()") == 3
    finally:
        await raw.close()


async def test_a_system_role_that_is_the_app_role_itself_is_refused(rls_database):
    """Naming the app's own role as the system role would leave no all-rows policy, so the
    sweeps would silently find nothing: start-up refuses, naming the setting."""
    settings, _, owner_url, app_url = rls_database
    same = replace(settings, system_database_url=app_url)
    with pytest.raises(ConfigError) as refused:
        await check_system_role(same)
    assert str(refused.value).startswith("SHOMEI_SYSTEM_DATABASE_URL:")
    assert "itself" in str(refused.value)
    # the owner as both is not under row-level security: nothing to refuse
    await check_system_role(
        replace(settings, database_url=owner_url, system_database_url=owner_url)
    )
