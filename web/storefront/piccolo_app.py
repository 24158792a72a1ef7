"""The ``storefront`` Piccolo app: carts and hosted checkout sessions."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="storefront",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["web.storefront.tables"], exclude_imported=True),
    migration_dependencies=["web.piccolo_app"],
    commands=[],
)
