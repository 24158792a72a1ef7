"""Order numbers, second step: the unique (tenant_id, year) index of
``orders_order_counter`` (the ON CONFLICT target of ``core.numbering``), and numbers for the
orders placed before numbers existed, per tenant and year, in id order."""

from zoneinfo import ZoneInfo

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-07T22:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "order numbers: unique (tenant_id, year) counters, existing orders numbered"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)

    async def create_index_and_number():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX orders_order_counter_tenant_year "
            "ON orders_order_counter (tenant_id, year)"
        )
        await _number_existing_orders()

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX orders_order_counter_tenant_year")

    manager.add_raw(create_index_and_number)
    manager.add_raw_backwards(drop_index)
    return manager


class _Order(Table, tablename="orders_order"):
    tenant_id = Integer()
    number = Varchar(length=32)
    created_at = Timestamptz()


class _Tenant(Table, tablename="tenant"):
    time_zone = Varchar(length=64)


class _Counter(Table, tablename="orders_order_counter"):
    tenant_id = Integer()
    year = Integer()
    next_seq = Integer()


async def _number_existing_orders() -> None:
    """Number the orders placed before numbers existed, per tenant and year, in id order."""
    for table in (_Order, _Tenant, _Counter):
        # this module is imported once per process: the tables must use the engine migrated
        # now, not the first one they met (a test session migrates SQLite, then PostgreSQL)
        table._meta.refresh_db()
    rows = await _Order.select(_Order.id, _Order.tenant_id, _Order.created_at).order_by(_Order.id)
    if not rows:  # a new install: nothing to number (and the tenant table may not exist yet)
        return
    zones = {r["id"]: r["time_zone"] for r in await _Tenant.select(_Tenant.id, _Tenant.time_zone)}
    counters: dict[tuple[int, int], int] = {}
    for row in rows:
        zone = ZoneInfo(zones.get(row["tenant_id"]) or "Asia/Tokyo")
        year = row["created_at"].astimezone(zone).year
        seq = counters.get((row["tenant_id"], year), 0) + 1
        counters[(row["tenant_id"], year)] = seq
        await _Order.update({_Order.number: f"ORD-{year}-{seq:06d}"}).where(_Order.id == row["id"])
    for (tenant_id, year), seq in counters.items():
        await _Counter.insert(_Counter(tenant_id=tenant_id, year=year, next_seq=seq + 1))
