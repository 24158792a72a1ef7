"""Tenant-scoped queries: the one way services read and write tenant-owned rows.

``scoped(Table)`` asks ``core.context.require_tenant()`` when the query is built, so code that
forgot to open a tenant scope fails with ``MissingTenantContext`` before any SQL runs, and every
query it builds is already filtered by the ambient tenant.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.query import Count, Delete, Exists, Objects, Select, Update
from piccolo.table import Table

from core.context import Context, TenantMismatch, require_tenant


def scoped_tenant_id(ctx: Context | None = None) -> int:
    """The ambient tenant's id; with ``ctx``, also checks that the context names the same one."""
    ambient = require_tenant()
    if ctx is not None and ctx.tenant.id != ambient.id:
        raise TenantMismatch(f"context tenant {ctx.tenant.id} inside scope of {ambient.id}")
    return ambient.id


def tenant_column(table: type[Table]) -> Column:
    """The column holding the tenant (``tenant`` foreign key or ``tenant_id`` integer)."""
    column = getattr(table, "tenant", None) or getattr(table, "tenant_id", None)
    if not isinstance(column, Column):
        raise TypeError(f"{table.__name__} is not tenant-owned: it has no tenant column")
    return column


class Scoped:
    """Queries on one tenant-owned table, filtered by the ambient tenant."""

    def __init__(self, table: type[Table], ctx: Context | None = None) -> None:
        self.table = table
        self.column = tenant_column(table)
        self.tenant_id = scoped_tenant_id(ctx)

    def select(self, *columns: Any) -> Select:
        return self.table.select(*columns).where(self.column == self.tenant_id)

    def objects(self) -> Objects:
        return self.table.objects().where(self.column == self.tenant_id)

    def count(self) -> Count:
        return self.table.count().where(self.column == self.tenant_id)

    def exists(self) -> Exists:
        return self.table.exists().where(self.column == self.tenant_id)

    def update(self, values: dict[Any, Any]) -> Update:
        return self.table.update(values).where(self.column == self.tenant_id)

    def delete(self) -> Delete:
        return self.table.delete().where(self.column == self.tenant_id)

    def new(self, **values: Any) -> Table:
        """A row of this table for the ambient tenant (not yet saved)."""
        return self.table(**{**values, self.column._meta.name: self.tenant_id})


def scoped(table: type[Table], ctx: Context | None = None) -> Scoped:
    return Scoped(table, ctx)
