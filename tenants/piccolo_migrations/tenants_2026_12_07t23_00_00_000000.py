from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenant.organization_name_kana: the company's reading (フリガナ) from the sign-up"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Tenant",
        tablename="tenant",
        column_name="organization_name_kana",
        db_column_name="organization_name_kana",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 255,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
