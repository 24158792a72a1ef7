"""The PostgreSQL engine under row-level security: tenant connections and system connections.

Rule (issue 13, defect 6): the app role can never lift tenant isolation, not even by an SQL
injection that runs ``SET shomei.bypass = 'on'``: no policy reads such a setting. Work that
spans tenants on purpose (``core.context.system_scope``: the workers' sweeps, operator pages,
resolving an API key) runs on connections of a *separate* login role (``system_config``,
from ``SHOMEI_SYSTEM_DATABASE_URL``), which alone has a policy that admits every row; the app
role is not a member of it and cannot ``SET ROLE`` to it. Which role a connection uses is
decided when it is opened or taken from a pool (or when a transaction begins), from the ambient
scope; every connection then gets ``shomei.tenant_id`` from ``core.rls.apply_tenant_setting``,
tagged with ``tenant_key`` (``core.rls.tenant_setting_key`` of the secret key) so that the
policies believe it and an injected ``set_config`` cannot forge another tenant's.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from core.context import system_scope_reason
from core.rls import apply_tenant_setting


class TenantAwarePostgresEngine(PostgresEngine):
    """A PostgresEngine whose connections carry the ambient tenant, and whose connections made
    inside a system scope belong to the system role (when one is configured)."""

    def __init__(
        self,
        config: dict[str, Any],
        *,
        system_config: dict[str, Any] | None = None,
        tenant_key: bytes | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(config=config, **kw)
        self.system_config = system_config
        self.tenant_key = tenant_key
        self.system_pool: asyncpg.Pool | None = None

    def _in_system_scope(self) -> bool:
        return self.system_config is not None and system_scope_reason() is not None

    def current_pool(self) -> asyncpg.Pool | None:
        """The pool a connection for the ambient scope comes from (None: no pool running)."""
        return self.system_pool if self._in_system_scope() else self.pool

    async def get_new_connection(self) -> Any:
        config = self.system_config if self._in_system_scope() else self.config
        connection = await asyncpg.connect(**(config or {}))
        await apply_tenant_setting(connection, self.tenant_key)
        return connection

    async def _run_in_pool(self, query: str, args: Any = None) -> Any:
        pool = self.current_pool()
        if pool is None:
            return await self._run_in_new_connection(query, args)
        async with pool.acquire() as connection:
            return await connection.fetch(query, *(args or []))

    async def start_connection_pool(self, **kwargs: Any) -> None:
        kwargs.setdefault("setup", partial(apply_tenant_setting, key=self.tenant_key))
        await super().start_connection_pool(**kwargs)
        if self.system_config is not None and self.system_pool is None:
            self.system_pool = await asyncpg.create_pool(**{**self.system_config, **kwargs})

    async def close_connection_pool(self) -> None:
        await super().close_connection_pool()
        if self.system_pool is not None:
            await self.system_pool.close()
            self.system_pool = None

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return RoutedTransaction(engine=self, allow_nested=allow_nested)


class RoutedTransaction(PostgresTransaction):
    """A transaction on a connection of the scope it began in, given back to the same pool."""

    engine: TenantAwarePostgresEngine
    _pool: asyncpg.Pool | None = None

    async def get_connection(self) -> Any:
        self._pool = self.engine.current_pool()
        if self._pool is not None:
            return await self._pool.acquire()
        return await self.engine.get_new_connection()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        if exception:
            if not self._rolled_back:
                await self.rollback()
        elif not self._committed and not self._rolled_back:
            await self.commit()
        if self._pool is not None:
            await self._pool.release(self.connection)
        else:
            await self.connection.close()
        self.engine.current_transaction.reset(self.context)
        return exception is None
