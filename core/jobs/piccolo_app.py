"""The ``jobs`` Piccolo app: background jobs, their progress and their result file."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="jobs",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=["core.jobs.tables"], exclude_imported=True),
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
