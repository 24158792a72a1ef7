"""The ``entitlements`` Piccolo app: entitlements and the fulfilment run of each order."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="entitlements",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["core.entitlements.tables"], exclude_imported=True),
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
