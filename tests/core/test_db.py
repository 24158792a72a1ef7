from datetime import UTC, datetime, timedelta

from core import db
from core.clock import FrozenClock
from core.system import answer_worker_ping, get_worker_ping, request_worker_ping
from core.tables import WorkerPing
from tenants.tables import Tenant


async def test_every_app_is_migrated_and_bound_to_the_session_engine(database):
    engine = db.bound_engine()
    assert WorkerPing._meta.db is engine
    assert Tenant._meta.db is engine
    assert engine.engine_type == database.kind
    names = {config.app_name for config in db.app_configs()}
    assert {"core", "tenants"} <= names
    for config in db.app_configs():
        for table in config.table_classes:
            assert await table.table_exists().run(), table._meta.tablename


async def test_migrate_twice_changes_nothing(database):
    before = await WorkerPing.count().run()
    await db.migrate()
    assert await WorkerPing.count().run() == before


async def test_worker_ping_is_answered_once(database):
    clock = FrozenClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    token = await request_worker_ping("default", clock)
    clock.advance(timedelta(seconds=5))
    assert await answer_worker_ping(token, "worker-a", clock)
    clock.advance(timedelta(seconds=5))
    assert not await answer_worker_ping(token, "worker-b", clock)
    view = await get_worker_ping(token)
    assert view.answered_by == "worker-a"
    assert view.answered_at == datetime(2026, 11, 22, 9, 0, 5, tzinfo=UTC)
