"""The bulk-purchase contract (一括購入): its effective date (発効日) and minimum purchase level
(最低購入レベル, yen, tax-exclusive)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "bulk contract: effective date and minimum purchase"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="digicert", description=DESCRIPTION)
    common = {
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    manager.add_column(
        table_class_name="DcContract",
        tablename="digicert_contract",
        column_name="effective_on",
        db_column_name="effective_on",
        column_class_name="Date",
        column_class=Date,
        params={"default": None, "null": True, **common},
        schema=None,
    )
    manager.add_column(
        table_class_name="DcContract",
        tablename="digicert_contract",
        column_name="minimum_purchase",
        db_column_name="minimum_purchase",
        column_class_name="Integer",
        column_class=Integer,
        params={"default": 0, "null": False, **common},
        schema=None,
    )
    return manager
