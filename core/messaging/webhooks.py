"""Tenant webhooks: endpoints, signed deliveries, retries with backoff, a delivery log, replay.

An outbox handler (``create_deliveries``) turns a webhook event into one delivery per subscribed
endpoint, idempotent per (event, endpoint). The body is fixed then; every attempt signs
``f"{timestamp}.{body}"`` with HMAC-SHA256 under the endpoint's secret and sends

    Shomei-Signature: t=<unix seconds>,v1=<hex digest>

A 2xx answer delivers; anything else (or no answer) schedules the next attempt after
``backoff(n)`` (30 s, 1 m, 2 m … capped at 1 h) until ``RETRY_WINDOW`` (a day) has passed since
the delivery was created or replayed, after which it is ``failed``. Attempts run in Celery tasks
(``workers/tasks/webhooks.py``): a sweep sends each due delivery's task, and a failed attempt's
task sends the next one with a countdown. ``attempt`` claims the delivery by its attempt count,
so a duplicate task is a no-op.

Issue 13 rules: the URL is checked when saved and again before each attempt, and the request
goes to the address that was checked (``core.egress``: https to public
addresses only, no redirects); the delivery log keeps the status, never the receiver's reply.
The signing secret is stored sealed (``core.sealing``, tenant-bound), shown to the tenant once.
Both take a ``WebhookGuard`` that the composition roots (web app, worker) build from settings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from core.context import Context, system_scope
from core.egress import (
    Egress,
    EgressRefused,
    Resolver,
    pinned_request,
    resolve_target,
    system_resolver,
)
from core.errors import FieldError, NotFound, ValidationFailed
from core.messaging.events import PRIVATE_PAYLOAD_FIELDS, WEBHOOK_EVENT_TYPES
from core.messaging.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from core.messaging.webhook_secrets import open_secret, seal_secret
from core.outbox_relay import Event, Handler
from core.sealing import Keyring, SealedUnreadable
from core.settings import Settings

SIGNATURE_HEADER = "Shomei-Signature"
EVENT_HEADER = "Shomei-Event"
DELIVERY_HEADER = "Shomei-Delivery"
TOLERANCE_SECONDS = 300
REQUEST_TIMEOUT = 10.0
FIRST_DELAY = 30
MAX_DELAY = 3600
RETRY_WINDOW = timedelta(days=1)
STALE_CLAIM = timedelta(minutes=15)
"""A queued or sending delivery this long past due lost its task (a crash); the sweep resends."""

PENDING, QUEUED, SENDING = "pending", "queued", "sending"
DELIVERED, FAILED, CANCELLED = "delivered", "failed", "cancelled"


@dataclass(frozen=True)
class WebhookGuard:
    """What saving an endpoint and sending to it need beyond the context: the keyring that seals
    signing secrets, whether loopback is allowed, and the resolver the address check uses."""

    keyring: Keyring
    allow_loopback: bool = False
    resolver: Resolver = system_resolver

    @classmethod
    def from_settings(
        cls, settings: Settings, resolver: Resolver = system_resolver
    ) -> WebhookGuard:
        return cls(Keyring.from_settings(settings), settings.egress_allow_loopback, resolver)

    @property
    def egress(self) -> Egress:
        """The same rule for every other URL a tenant sets (``core.egress``)."""
        return Egress(self.allow_loopback, self.resolver)


# -- signing ---------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: str) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str, header: str, body: bytes | str, *, now: float, tolerance: int = 300
) -> bool:
    """True when ``header`` signs ``body`` under ``secret`` and is at most ``tolerance`` seconds
    from ``now`` (a Unix time the caller reads from its clock)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    text = body.decode() if isinstance(body, bytes) else body
    expected = sign(secret, timestamp, text).split("v1=", 1)[1]
    fresh = abs(now - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, fields.get("v1", ""))


def backoff(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): 30, 60, 120 … 3600."""
    return min(FIRST_DELAY * 2 ** max(attempt - 1, 0), MAX_DELAY)


# -- endpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointView:
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: datetime


def _endpoint_view(row: Mapping[str, Any]) -> EndpointView:
    return EndpointView(**{name: row[name] for name in EndpointView.__dataclass_fields__})


async def _check_endpoint(
    url: str, event_types: list[str], guard: WebhookGuard
) -> list[FieldError]:
    errors: list[FieldError] = []
    try:
        await resolve_target(url, guard.allow_loopback, guard.resolver)
    except EgressRefused as refused:
        errors.append(FieldError("url", f"messaging.webhook.{refused.reason}"))
    if not event_types:
        errors.append(FieldError("event_types", "messaging.webhook.events_required"))
    elif event_types != ["*"] and not set(event_types) <= set(WEBHOOK_EVENT_TYPES):
        errors.append(FieldError("event_types", "messaging.webhook.events_invalid"))
    return errors


async def create_endpoint(
    ctx: Context,
    url: str,
    event_types: list[str],
    description: str = "",
    *,
    guard: WebhookGuard,
) -> tuple[EndpointView, str]:
    """Register an endpoint; returns it and its signing secret (shown to the tenant once, kept
    only sealed). The URL must pass ``core.egress`` now; it is checked again at each send."""
    url = url.strip()
    errors = await _check_endpoint(url, event_types, guard)
    if errors:
        raise ValidationFailed(errors)
    secret = "whsec_" + secrets.token_urlsafe(32)
    rows = await WebhookEndpoint.insert(
        WebhookEndpoint(
            tenant_id=ctx.tenant.id,
            url=url,
            secret=seal_secret(guard.keyring, ctx.tenant.id, secret),
            event_types=sorted(set(event_types)),
            description=description.strip()[:200],
            active=True,
            created_at=ctx.clock.now(),
        )
    ).run()
    return await get_endpoint(ctx, rows[0]["id"]), secret


async def get_endpoint(ctx: Context, endpoint_id: int) -> EndpointView:
    return _endpoint_view(await _endpoint_row(ctx, endpoint_id))


async def _endpoint_row(ctx: Context, endpoint_id: int) -> dict[str, Any]:
    row = await (
        WebhookEndpoint.select()
        .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.tenant_id == ctx.tenant.id))
        .output(load_json=True)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("messaging.webhook.not_found", endpoint_id)
    return row


async def list_endpoints(ctx: Context) -> list[EndpointView]:
    rows = await (
        WebhookEndpoint.select()
        .where(WebhookEndpoint.tenant_id == ctx.tenant.id)
        .order_by(WebhookEndpoint.id)
        .output(load_json=True)
        .run()
    )
    return [_endpoint_view(row) for row in rows]


async def set_endpoint_active(ctx: Context, endpoint_id: int, active: bool) -> EndpointView:
    await _endpoint_row(ctx, endpoint_id)
    await (
        WebhookEndpoint.update({WebhookEndpoint.active: active})
        .where((WebhookEndpoint.id == endpoint_id) & (WebhookEndpoint.tenant_id == ctx.tenant.id))
        .run()
    )
    return await get_endpoint(ctx, endpoint_id)


# -- deliveries ------------------------------------------------------------------------------


def webhook_body(ctx: Context, event: Event) -> str:
    """The JSON a receiver gets: the event without its mail routing fields."""
    data = {k: v for k, v in event.payload.items() if k not in PRIVATE_PAYLOAD_FIELDS}
    document = {
        "id": event.idempotency_key,
        "type": event.event_type,
        "tenant": ctx.tenant.slug,
        "created_at": event.created_at.isoformat(),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _subscribed(endpoint: Mapping[str, Any], event_type: str) -> bool:
    wanted = endpoint["event_types"] or []
    return "*" in wanted or event_type in wanted


async def create_deliveries(ctx: Context, event: Event) -> list[int]:
    """One delivery per active endpoint that wants ``event``; again for the same event, none."""
    endpoints = await (
        WebhookEndpoint.select()
        .where((WebhookEndpoint.tenant_id == ctx.tenant.id) & (WebhookEndpoint.active == True))  # noqa: E712
        .order_by(WebhookEndpoint.id)
        .output(load_json=True)
        .run()
    )
    created: list[int] = []
    body = webhook_body(ctx, event)
    now = ctx.clock.now()
    for endpoint in endpoints:
        if not _subscribed(endpoint, event.event_type):
            continue
        exists = await WebhookDelivery.exists().where(
            (WebhookDelivery.tenant_id == ctx.tenant.id)
            & (WebhookDelivery.endpoint_id == endpoint["id"])
            & (WebhookDelivery.idempotency_key == event.idempotency_key)
        )
        if exists:
            continue
        rows = await WebhookDelivery.insert(
            WebhookDelivery(
                tenant_id=ctx.tenant.id,
                endpoint_id=endpoint["id"],
                event_id=event.id,
                event_type=event.event_type,
                idempotency_key=event.idempotency_key,
                body=body,
                status=PENDING,
                next_attempt_at=now,
                window_started_at=now,
                created_at=now,
            )
        ).run()
        created.append(rows[0]["id"])
    return created


def webhook_handlers() -> dict[str, list[Handler]]:
    """``register_event_handlers``' webhook part."""
    return {event_type: [create_deliveries] for event_type in WEBHOOK_EVENT_TYPES}


@dataclass(frozen=True)
class DueDelivery:
    tenant_id: int
    delivery_id: int
    attempts: int


async def claim_due(now: datetime, limit: int = 500) -> list[DueDelivery]:
    """Across tenants (the sweep): due deliveries, marked ``queued``, each with its attempt count
    for the task. Pending ones are due at ``next_attempt_at``; a queued or sending one only when
    its task was evidently lost (``STALE_CLAIM`` past due)."""
    with system_scope("webhook sweep"):
        rows = await (
            WebhookDelivery.select(
                WebhookDelivery.id, WebhookDelivery.tenant_id, WebhookDelivery.attempts
            )
            .where(
                ((WebhookDelivery.status == PENDING) & (WebhookDelivery.next_attempt_at <= now))
                | (
                    WebhookDelivery.status.is_in([QUEUED, SENDING])
                    & (WebhookDelivery.next_attempt_at <= now - STALE_CLAIM)
                )
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .run()
        )
        due: list[DueDelivery] = []
        for row in rows:
            taken = await (
                WebhookDelivery.update(
                    {WebhookDelivery.status: QUEUED, WebhookDelivery.next_attempt_at: now}
                )
                .where(
                    (WebhookDelivery.id == row["id"])
                    & (WebhookDelivery.attempts == row["attempts"])
                    & WebhookDelivery.status.is_in([PENDING, QUEUED, SENDING])
                )
                .returning(WebhookDelivery.id)
                .run()
            )
            if taken:
                due.append(DueDelivery(row["tenant_id"], row["id"], row["attempts"]))
    return due


@dataclass(frozen=True)
class AttemptOutcome:
    delivery_id: int
    status: str
    status_code: int | None
    error: str
    retry_in: int | None
    """Seconds until the next attempt (its task is sent with this countdown), else None."""


async def attempt(
    ctx: Context,
    delivery_id: int,
    expected_attempts: int,
    client: httpx.AsyncClient | None = None,
    *,
    guard: WebhookGuard,
) -> AttemptOutcome | None:
    """Make attempt number ``expected_attempts + 1``; None when another task already made it
    (or the delivery is finished)."""
    now = ctx.clock.now()
    claimed = await (
        WebhookDelivery.update(
            {
                WebhookDelivery.status: SENDING,
                WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                WebhookDelivery.next_attempt_at: now,
            }
        )
        .where(
            (WebhookDelivery.id == delivery_id)
            & (WebhookDelivery.tenant_id == ctx.tenant.id)
            & (WebhookDelivery.attempts == expected_attempts)
            & WebhookDelivery.status.is_in([PENDING, QUEUED])
        )
        .returning(WebhookDelivery.id)
        .run()
    )
    if not claimed:
        return None
    delivery = await _delivery_row(ctx, delivery_id)
    number = delivery["attempts"]
    endpoint = await (
        WebhookEndpoint.select()
        .where(
            (WebhookEndpoint.id == delivery["endpoint_id"])
            & (WebhookEndpoint.tenant_id == ctx.tenant.id)
        )
        .first()
        .run()
    )
    if endpoint is None or not endpoint["active"]:
        await _set(ctx, delivery_id, {WebhookDelivery.status: CANCELLED})
        return AttemptOutcome(delivery_id, CANCELLED, None, "endpoint inactive", None)
    status_code, error, duration_ms = await _post(ctx, endpoint, delivery, client, guard)
    await WebhookAttempt.insert(
        WebhookAttempt(
            tenant_id=ctx.tenant.id,
            delivery_id=delivery_id,
            number=number,
            replay=delivery["window_started_at"] != delivery["created_at"],
            started_at=now,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
        )
    ).run()
    finished = ctx.clock.now()
    common = {WebhookDelivery.last_status_code: status_code, WebhookDelivery.last_error: error}
    if status_code is not None and 200 <= status_code < 300:
        await _set(ctx, delivery_id, {**common, WebhookDelivery.status: DELIVERED,
                                      WebhookDelivery.delivered_at: finished})  # fmt: skip
        return AttemptOutcome(delivery_id, DELIVERED, status_code, error, None)
    delay = backoff(number)
    next_at = finished + timedelta(seconds=delay)
    if next_at - delivery["window_started_at"] > RETRY_WINDOW:
        await _set(ctx, delivery_id, {**common, WebhookDelivery.status: FAILED,
                                      WebhookDelivery.next_attempt_at: None})  # fmt: skip
        return AttemptOutcome(delivery_id, FAILED, status_code, error, None)
    await _set(ctx, delivery_id, {**common, WebhookDelivery.status: QUEUED,
                                  WebhookDelivery.next_attempt_at: next_at})  # fmt: skip
    return AttemptOutcome(delivery_id, QUEUED, status_code, error, delay)


async def _post(
    ctx: Context,
    endpoint: Mapping[str, Any],
    delivery: Mapping[str, Any],
    client: httpx.AsyncClient | None,
    guard: WebhookGuard,
) -> tuple[int | None, str, int]:
    """One POST to the address checked just now (never a redirect); the error kept for the
    tenant's log names the status or the kind of failure, never what the receiver answered."""
    started = time.monotonic()
    try:
        target = await resolve_target(endpoint["url"], guard.allow_loopback, guard.resolver)
    except EgressRefused as refused:
        return None, f"refused: {refused.reason}", _ms(started)
    try:
        secret = open_secret(guard.keyring, ctx.tenant.id, endpoint["secret"])
    except SealedUnreadable:
        return None, "refused: secret unreadable", _ms(started)
    body: str = delivery["body"]
    timestamp = int(ctx.clock.now().timestamp())
    pinned = pinned_request(target)
    headers = {
        "Host": pinned.host_header,
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "shomei-webhooks/1",
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        EVENT_HEADER: delivery["event_type"],
        DELIVERY_HEADER: str(delivery["id"]),
    }
    own = client is None
    http = client or httpx.AsyncClient(
        timeout=REQUEST_TIMEOUT, follow_redirects=False, trust_env=False
    )
    try:
        request = http.build_request(
            "POST", pinned.url, content=body.encode(), headers=headers,
            extensions=dict(pinned.extensions),
        )  # fmt: skip
        response = await http.send(request, follow_redirects=False, stream=True)
        await response.aclose()  # the reply is never read: it could be an internal page
    except httpx.HTTPError as exc:
        return None, type(exc).__name__, _ms(started)
    finally:
        if own:
            await http.aclose()
    error = "" if response.is_success else status_error(response.status_code)
    return response.status_code, error, _ms(started)


def status_error(status_code: int) -> str:
    """What the delivery log keeps of a refused POST: the status alone."""
    return f"HTTP {status_code}"


async def cut_stored_errors() -> int:
    """Across tenants, cut the errors logged before the reply was no longer kept
    (``HTTP 500: <what the receiver answered>``, possibly an internal page) down to
    ``HTTP 500``, in the attempts and the deliveries; the number of rows cut."""
    cut = 0
    with system_scope("cut webhook errors to their status"):
        for table, error, code in (
            (WebhookAttempt, WebhookAttempt.error, WebhookAttempt.status_code),
            (WebhookDelivery, WebhookDelivery.last_error, WebhookDelivery.last_status_code),
        ):
            rows = await table.select(code).where(error.like("HTTP %:%")).distinct().run()
            for row in rows:
                status = row[code._meta.name]
                if status is None:
                    continue
                changed = await (
                    table.update({error: status_error(status)})
                    .where((code == status) & error.like(f"{status_error(status)}:%"))
                    .returning(table.id)
                    .run()
                )
                cut += len(changed)
    return cut


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def _delivery_row(ctx: Context, delivery_id: int) -> dict[str, Any]:
    row = await (
        WebhookDelivery.select()
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.tenant_id == ctx.tenant.id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("messaging.webhook.not_found", delivery_id)
    return row


async def _set(ctx: Context, delivery_id: int, values: dict[Any, Any]) -> None:
    await (
        WebhookDelivery.update(values)
        .where((WebhookDelivery.id == delivery_id) & (WebhookDelivery.tenant_id == ctx.tenant.id))
        .run()
    )


async def replay(ctx: Context, delivery_id: int) -> DueDelivery:
    """Send a delivery again (the console's button): due now, with a fresh retry window. The
    caller sends its task (``DueDelivery``), or the next sweep does."""
    row = await _delivery_row(ctx, delivery_id)
    now = ctx.clock.now()
    await _set(ctx, delivery_id, {WebhookDelivery.status: QUEUED,
                                  WebhookDelivery.next_attempt_at: now,
                                  WebhookDelivery.window_started_at: now})  # fmt: skip
    return DueDelivery(ctx.tenant.id, delivery_id, row["attempts"])


@dataclass(frozen=True)
class DeliveryView:
    id: int
    endpoint_id: int
    event_type: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class AttemptView:
    id: int
    delivery_id: int
    number: int
    replay: bool
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str


async def list_deliveries(
    ctx: Context, endpoint_id: int | None = None, limit: int = 50
) -> list[DeliveryView]:
    """The tenant's deliveries, newest first, optionally of one endpoint."""
    where = WebhookDelivery.tenant_id == ctx.tenant.id
    if endpoint_id is not None:
        where = where & (WebhookDelivery.endpoint_id == endpoint_id)
    rows = await (
        WebhookDelivery.select()
        .where(where)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
        .run()
    )
    return [DeliveryView(**{k: row[k] for k in DeliveryView.__dataclass_fields__}) for row in rows]


async def list_attempts(ctx: Context, delivery_id: int) -> list[AttemptView]:
    """One delivery's log, oldest first."""
    rows = await (
        WebhookAttempt.select()
        .where(
            (WebhookAttempt.tenant_id == ctx.tenant.id)
            & (WebhookAttempt.delivery_id == delivery_id)
        )
        .order_by(WebhookAttempt.id)
        .run()
    )
    return [AttemptView(**{k: row[k] for k in AttemptView.__dataclass_fields__}) for row in rows]
