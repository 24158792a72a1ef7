"""The ``schedules`` Piccolo app: beat runs, once-only marks, reminder settings, dead letters."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="schedules",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["core.schedules.tables"], exclude_imported=True),
    migration_dependencies=[
        "core.piccolo_app",
        "core.billing.piccolo_app",
        "core.orders.piccolo_app",
    ],
    commands=[],
)
