"""Order numbers (``ORD-2026-000123``): ``orders_order.number``, the per-tenant, per-year
counter ``orders_order_counter`` with its unique (tenant_id, year) index (the ON CONFLICT
target of ``core.numbering``), the columns; ``…_45_01`` adds the index and numbers the orders that existed before (Piccolo
runs a migration's raw steps before its table steps)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "order numbers: orders_order.number and orders_order_counter"


def _params(default: object, **extra: object) -> dict[str, object]:
    return {
        "default": default, "null": False, "primary_key": False, "unique": False,
        "index": False, "index_method": IndexMethod.btree, "choices": None,
        "db_column_name": None, "secret": False, **extra,
    }  # fmt: skip


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="orders", description=DESCRIPTION)
    manager.add_table(
        class_name="OrderCounter", tablename="orders_order_counter", schema=None, columns=None
    )
    for name, default in (("tenant_id", 0), ("year", 0), ("next_seq", 1)):
        manager.add_column(
            table_class_name="OrderCounter", tablename="orders_order_counter",
            column_name=name, db_column_name=name, column_class_name="Integer",
            column_class=Integer, params=_params(default), schema=None,
        )  # fmt: skip
    manager.add_column(
        table_class_name="Order", tablename="orders_order", column_name="number",
        db_column_name="number", column_class_name="Varchar", column_class=Varchar,
        params=_params("", length=32), schema=None,
    )  # fmt: skip

    return manager
