"""Where a URL that a tenant can set may be reached: https to public addresses only (no SSRF).

Rule (issue 13, defect 2): no URL a tenant sets (a webhook endpoint, a provider account's API
base URL) may make shomei talk to the deployment's own network. Such a URL is checked when it
is saved *and* again right before each connection:

- the scheme is ``https``; no user or password in the URL;
- the host name is resolved (through an injected ``Resolver``, so tests map test names to any
  address without asking DNS) and **every** address must be public: not private, loopback,
  link-local, multicast, reserved, unspecified, shared (100.64/10) or site-local, also when an
  IPv4 address hides inside IPv6 (``::ffff:10.0.0.5``, 6to4 ``2002::/16``, NAT64, Teredo);
- the request then goes to the address that was checked (``pinned_request``), with the name in
  the ``Host`` header and as the TLS server name, so a second DNS answer (rebinding) cannot
  swap in another address; redirects are never followed.

Loopback (``127.0.0.0/8``, ``::1``), and plain ``http`` to it, is allowed only by an explicit
setting (``SHOMEI_EGRESS_ALLOW_LOOPBACK``, formerly ``SHOMEI_WEBHOOK_ALLOW_LOOPBACK``; on by
default in the embedded mode alone) for the demo, its sandbox upstreams and the tests; private
and link-local addresses are refused even then.

``Egress`` carries that policy (loopback or not, and the resolver) from a composition root to
whoever connects; ``Egress.client()`` is the one way to build an HTTP client for a tenant's URL:
its ``GuardedTransport`` checks and pins *every* request (a redirect, were one followed, too),
never follows redirects and never reads proxies or credentials from the environment.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

import httpx

from core.errors import FieldError, ShomeiError

if TYPE_CHECKING:
    from core.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]
"""Host name and port -> every address it resolves to (an IP literal resolves to itself)."""

NAT64 = ipaddress.ip_network("64:ff9b::/96")

# why an address or URL is refused; each is also a message id suffix (egress.*, and
# messaging.webhook.* for webhook endpoints)
SCHEME = "url_invalid"
UNRESOLVABLE = "url_unresolvable"
NOT_PUBLIC = "url_not_public"


class EgressRefused(ShomeiError):
    """A URL or one of its addresses may not be used; ``reason`` is one of
    ``SCHEME``, ``UNRESOLVABLE``, ``NOT_PUBLIC``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The operating system's resolver (composition roots only; tests inject their own)."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_loopback(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            return inner.is_loopback
    return address.is_loopback


def is_public(address: IPAddress) -> bool:
    """True for a global unicast address, also when an IPv4 address hides inside IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.teredo is not None or address.is_site_local:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def allowed(address: IPAddress, allow_loopback: bool) -> bool:
    return is_public(address) or (allow_loopback and is_loopback(address))


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts and the addresses it may be sent to (the first is used)."""

    parts: SplitResult
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def check_syntax(url: str, allow_loopback: bool) -> SplitResult:
    """The URL's parts when its form may be used; ``EgressRefused(SCHEME)`` otherwise."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 — raises ValueError on a port out of range
    except ValueError as exc:
        raise EgressRefused(SCHEME) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EgressRefused(SCHEME)
    if parts.username is not None or parts.password is not None:
        raise EgressRefused(SCHEME)
    if parts.scheme == "http" and not allow_loopback:
        raise EgressRefused(SCHEME)
    return parts


async def resolve_target(url: str, allow_loopback: bool, resolver: Resolver) -> Target:
    """Check ``url`` and every address its host resolves to; nothing is sent."""
    parts = check_syntax(url, allow_loopback)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = tuple(await resolver(host, port))
    except (OSError, UnicodeError) as exc:
        raise EgressRefused(UNRESOLVABLE) from exc
    if not addresses:
        raise EgressRefused(UNRESOLVABLE)
    if not all(allowed(address, allow_loopback) for address in addresses):
        raise EgressRefused(NOT_PUBLIC)
    if parts.scheme == "http" and not all(is_loopback(a) for a in addresses):
        raise EgressRefused(SCHEME)  # plain http only ever to this machine (demo, tests)
    return Target(parts, host, port, addresses)


@dataclass(frozen=True)
class PinnedRequest:
    """The URL naming the checked address, the ``Host`` header, and httpx request extensions
    (the TLS server name, so the certificate is still checked against the host name)."""

    url: str
    host_header: str
    extensions: dict[str, str]


def pinned_request(target: Target) -> PinnedRequest:
    address = target.addresses[0]
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    parts = target.parts
    url = parts._replace(netloc=f"{literal}:{target.port}", fragment="").geturl()
    default = 443 if parts.scheme == "https" else 80
    name = f"[{target.host}]" if ":" in target.host else target.host
    host_header = name if target.port == default else f"{name}:{target.port}"
    extensions = {"sni_hostname": target.host} if parts.scheme == "https" else {}
    return PinnedRequest(url, host_header, extensions)


# -- the policy and the one guarded client ---------------------------------------------------


@dataclass(frozen=True)
class Egress:
    """Where this process may connect for a tenant's URL: loopback or not, and the resolver the
    check uses. Built by a composition root (``from_settings``); the default is production's
    rule with the system resolver. Tests inject a resolver that maps test names to addresses."""

    allow_loopback: bool = False
    resolver: Resolver = system_resolver

    @classmethod
    def from_settings(cls, settings: Settings, resolver: Resolver = system_resolver) -> Egress:
        return cls(settings.egress_allow_loopback, resolver)

    async def check(self, url: str) -> Target:
        """The checked target of ``url``; ``EgressRefused`` otherwise. Nothing is sent."""
        return await resolve_target(url, self.allow_loopback, self.resolver)

    async def field_errors(self, field: str, url: str, prefix: str = "egress") -> list[FieldError]:
        """``[]`` when ``url`` may be used, else one error naming ``field`` (``{prefix}.{reason}``):
        what a form or the API shows when a tenant saves the URL."""
        try:
            await self.check(url)
        except EgressRefused as refused:
            return [FieldError(field, f"{prefix}.{refused.reason}", {"field": field})]
        return []

    def transport(self, inner: httpx.AsyncBaseTransport | None = None) -> GuardedTransport:
        return GuardedTransport(self, inner)

    def client(
        self, *, inner: httpx.AsyncBaseTransport | None = None, **options: Any
    ) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` for a URL a tenant set: every request checked and pinned
        (``GuardedTransport``), no redirects followed, nothing taken from the environment
        (proxies, ``.netrc``). ``inner`` replaces the network transport (tests); ``options`` are
        the client's other arguments (``base_url``, ``headers``, ``timeout``)."""
        return httpx.AsyncClient(
            transport=self.transport(inner), follow_redirects=False, trust_env=False, **options
        )


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks each request's URL (``Egress.check``) right before connecting and sends it to the
    address that was checked, with the name kept in ``Host`` and as the TLS server name; a
    refused URL raises ``EgressRefused`` and no connection is attempted."""

    def __init__(self, egress: Egress, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.egress = egress
        self._inner = inner or httpx.AsyncHTTPTransport(trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pinned = pinned_request(await self.egress.check(str(request.url)))
        headers = request.headers.copy()
        headers["Host"] = pinned.host_header
        sent = httpx.Request(
            request.method,
            pinned.url,
            headers=headers,
            stream=request.stream,
            extensions={**request.extensions, **pinned.extensions},
        )
        return await self._inner.handle_async_request(sent)

    async def aclose(self) -> None:
        await self._inner.aclose()
