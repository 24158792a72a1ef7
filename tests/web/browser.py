"""Helpers for the browser-area tests: a tenant with people, clients per host, form posts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from core.clock import FrozenClock
from core.context import tenant_scope
from core.settings import Settings
from tenants.customers import add_customer_user, create_customer
from tenants.operators import add_operator
from tests.conftest import make_app, make_settings
from tests.tenants.helpers import START, active_tenant, staff_context, unique

BASE = "shomei.test"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser_settings(tmp_path: Any, database: Any, **extra: str) -> Settings:
    return make_settings(tmp_path / "var", database, **{"public_url": f"http://{BASE}", **extra})


@dataclass(frozen=True)
class Shop:
    """An active tenant with its owner and one customer login (password chosen by the user)."""

    tenant: Any
    host: str
    owner_email: str
    owner_id: int
    customer_email: str
    customer_user_id: int


async def make_shop(clock: FrozenClock) -> Shop:
    result, form = await active_tenant(clock)
    ctx = staff_context(result.tenant, result.owner_id, clock)
    email = f"{unique('buyer')}@example.jp"
    with tenant_scope(result.tenant):
        customer = await create_customer(
            ctx, "お客様株式会社", "1000005", "東京都", "千代田区丸の内1-1-1", "03-1234-5678"
        )
        user_id = await add_customer_user(
            ctx, customer, email, "購入 花子", PASSWORD, set_by_staff=False
        )
    return Shop(
        tenant=result.tenant,
        host=f"{result.tenant.slug}.{BASE}",
        owner_email=form.owner_email,
        owner_id=result.owner_id,
        customer_email=email,
        customer_user_id=user_id,
    )


async def make_operator(clock: FrozenClock, *, must_change: bool = False) -> str:
    email = f"{unique('op')}@example.jp"
    await add_operator(email, "運営 一郎", PASSWORD, clock, set_by_other=must_change)
    return email


@asynccontextmanager
async def browser(app: Any, host: str) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app, base_url=f"http://{host}") as client:
        client.follow_redirects = False  # each step of the sign-in is checked by the test
        yield client


def on_host(client: AsyncTestClient, host: str) -> None:
    """Point the client at another host of the same app (one client per app: the app's Redis
    connections belong to the event loop of the client that started it)."""
    client.base_url = httpx.URL(f"http://{host}")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def post_form(
    client: AsyncTestClient, page: str, path: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """GET ``page`` (for its CSRF token), then POST ``data`` with the token to ``path``."""
    shown = await client.get(page, **kwargs)
    return await client.post(path, data={**data, "csrf_token": csrf_of(shown.text)}, **kwargs)


async def sign_in(
    client: AsyncTestClient, area: str, email: str, password: str = PASSWORD, **kwargs: Any
) -> httpx.Response:
    return await post_form(
        client,
        f"/{area}/login",
        f"/{area}/login",
        {"email": email, "password": password},
        **kwargs,
    )


async def sign_out(client: AsyncTestClient, area: str) -> httpx.Response:
    home = await client.get(f"/{area}/")
    return await client.post(f"/{area}/logout", data={"csrf_token": csrf_of(home.text)})


def session_cookie(client: AsyncTestClient) -> str:
    return client.cookies.get("shomei_session") or ""


__all__ = [
    "BASE",
    "PASSWORD",
    "START",
    "Shop",
    "browser",
    "browser_settings",
    "csrf_of",
    "make_app",
    "make_operator",
    "make_shop",
    "on_host",
    "post_form",
    "session_cookie",
    "sign_in",
    "sign_out",
]
