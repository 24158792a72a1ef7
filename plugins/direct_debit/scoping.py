"""The context's tenant as the ambient scope, so PostgreSQL connections carry it (RLS).

The same helper as ``plugins.wallet.ledger.scope``; kept here so the plugins do not depend on
each other (a candidate for ``core.context``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from core.context import Context, current_tenant, tenant_scope
from core.errors import ShomeiError


class TenantMismatch(ShomeiError):
    """The context names another tenant than the ambient scope: a programming error."""


@contextlib.contextmanager
def scope(ctx: Context) -> Iterator[None]:
    ambient = current_tenant()
    if ambient is None:
        with tenant_scope(ctx.tenant):
            yield
        return
    if ambient.id != ctx.tenant.id:
        raise TenantMismatch(f"context tenant {ctx.tenant.id} inside scope of {ambient.id}")
    yield
