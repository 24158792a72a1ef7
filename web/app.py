"""``create_app(settings)``: the Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from piccolo.engine.postgres import PostgresEngine

from core import db
from core.clock import Clock
from core.egress import Resolver, system_resolver
from core.i18n import merge_catalogs
from core.logs import configure_logging
from core.messaging.webhooks import WebhookGuard
from core.plugins import Registry, build_plugin_manager, collect_list, piccolo_app_modules
from core.settings import Settings
from core.templating import build_environment
from web.api.routes import API_PREFIX, api_router
from web.areas import browser_routers
from web.controllers.favicon import favicon
from web.controllers.health import HealthController
from web.controllers.home import HomeController
from web.csrf import csrf_middleware
from web.i18n import web_catalogs
from web.input_limits import MAX_BODY_BYTES, input_limits_middleware
from web.middleware import request_id_middleware
from web.openapi_docs import OfflineDocsPlugin
from web.ratelimit import MemoryStore, RateLimiter, RedisStore
from web.security_headers import add_security_headers
from web.sessions import session_middleware
from web.state import WebState
from web.throttle import LoginThrottle
from web.unhandled import unhandled
from workers.celery_app import create_celery

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("shomei.web")


def _counter_store(settings: Settings, clock: Clock) -> MemoryStore | RedisStore:
    """Rate counters follow the app's clock (tests move it); Redis when there is one."""

    def now() -> float:
        return clock.now().timestamp()

    if settings.redis_url:
        return RedisStore(settings.redis_url, settings.deployment_id, now=now)
    return MemoryStore(now=now)


def create_app(
    settings: Settings,
    *,
    configure_logs: bool = True,
    plugins: Iterable[object] = (),
    disabled_plugins: Iterable[str] = (),
    clock: Clock,
    connection_pool: bool = True,
    webhook_resolver: Resolver = system_resolver,
) -> Litestar:
    """The web application for ``settings``, telling the time by ``clock`` (the entry points in
    ``web.server`` hand in the system clock). Tests add plugin objects (``plugins``), a frozen
    clock, and turn the PostgreSQL pool off (``connection_pool``): a pool belongs to one event
    loop, and a test talks to the same database from its own loop. ``webhook_resolver`` resolves
    the host of every URL a tenant sets (webhook endpoints, provider base URLs) for its address
    check, ``core.egress`` (tests map names without asking DNS)."""
    if configure_logs:
        configure_logging(settings.log_level)
    pm = build_plugin_manager(
        load_entrypoints=settings.load_entrypoint_plugins, extra=plugins, disabled=disabled_plugins
    )
    engine = db.setup_database(settings, piccolo_app_modules(pm))
    pages = build_environment(pm, "pages", ["web"])
    web_state = WebState(
        settings=settings,
        pm=pm,
        registry=Registry(pm),
        celery=create_celery(settings, pm, clock),
        pages=pages,
        catalogs=merge_catalogs([*pm.hook.register_translations(), web_catalogs()]),
        clock=clock,
        rate_limiter=RateLimiter(_counter_store(settings, clock), limit=settings.api_rate_limit),
        login_throttle=LoginThrottle(_counter_store(settings, clock)),
        webhooks=WebhookGuard.from_settings(settings, webhook_resolver),
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        pooled = connection_pool and isinstance(engine, PostgresEngine)
        if pooled:
            await engine.start_connection_pool()
        log.info(
            "started", extra={"public_url": settings.public_url, "mode": settings.database_kind}
        )
        try:
            yield
        finally:
            if pooled:
                await engine.close_connection_pool()

    return Litestar(
        route_handlers=[
            HealthController,
            HomeController,
            favicon,
            api_router(),
            *browser_routers(),
            create_static_files_router(path="/static", directories=[STATIC]),
            *collect_list(pm, "register_routes"),
        ],
        state=State({"web": web_state}),
        lifespan=[lifespan],
        middleware=[
            request_id_middleware,
            input_limits_middleware,
            session_middleware,
            csrf_middleware,
        ],
        request_max_body_size=MAX_BODY_BYTES,
        before_send=[add_security_headers],
        exception_handlers={Exception: unhandled},
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(pages)),
        openapi_config=OpenAPIConfig(
            title="shomei API",
            version="1",
            description="Certificate sales for hosting companies: orders, vouchers, certificates.",
            path=f"{API_PREFIX}/schema",
            render_plugins=[JsonRenderPlugin(), OfflineDocsPlugin(pages)],
        ),
        logging_config=None,  # core.logs.configure_logging owns the root logger (JSON lines)
        debug=False,
    )
