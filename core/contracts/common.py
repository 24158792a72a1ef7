"""Value types shared by every contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, runtime_checkable

from core.egress import Egress

Yen = int
"""Money is integer yen, tax-exclusive unless a name says otherwise. Never a float."""


@dataclass(frozen=True)
class ConfigField:
    """One setting a tenant fills in when it configures a plugin (a provider account or a
    payment adapter). ``secret`` fields are credentials: stored encrypted, never shown again.
    A ``url`` field is a URL shomei will connect to: checked by ``core.egress`` when the account
    is saved, and the plugin connects to it only through ``PluginAccount.egress``."""

    name: str
    label_id: str
    kind: Literal["text", "secret", "int", "bool", "choice", "url"] = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    secret: bool = False


@dataclass(frozen=True)
class Price:
    """A tax-exclusive unit price and what each extra name adds (DigiCert-style pricing)."""

    base: Yen
    per_additional_fqdn: Yen = 0
    per_wildcard: Yen = 0


@dataclass(frozen=True)
class ProductSpec:
    """A product a provider sells, as the catalog shows it."""

    code: str
    name_ja: str
    name_en: str
    kind: Literal["ssl", "client", "hosting", "option"]
    validation: Literal["dv", "ov", "ev", "none"] = "none"
    terms_months: tuple[int, ...] = (12,)
    max_fqdns: int = 0
    max_wildcards: int = 0
    accepts_csr: bool = True
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PluginAccount:
    """What a plugin object is built with: one tenant's configuration of it.

    ``config`` holds the plain settings, ``credentials`` the decrypted secrets (never logged),
    ``secret_key`` the deployment's key for anything the plugin must seal itself, and
    ``public_url`` where shomei is reachable (for return URLs and redeem links), and ``egress``
    the rule for connecting to any URL of ``config`` (``Egress.client()``; production's rule
    unless the composition root hands in the deployment's).
    """

    config: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    secret_key: str = ""
    public_url: str = ""
    egress: Egress = field(default_factory=Egress, compare=False)

    def __repr__(self) -> str:  # credentials never reach a log line through repr
        return (
            f"PluginAccount(config={self.config!r}, credentials=<{len(self.credentials)} hidden>)"
        )


class ConnectionProblem(StrEnum):
    """Why a plugin account's test connection failed, in words a tenant can act on."""

    UNREACHABLE = "unreachable"  # no answer from the host (DNS, refused, timeout)
    REFUSED_KEY = "refused_key"  # the upstream answered and refused the credentials
    WRONG_URL = "wrong_url"  # something answered, but not the upstream's API at that URL
    NOT_ALLOWED = "not_allowed"  # the URL may not be connected to (``core.egress``)
    UPSTREAM_ERROR = "upstream_error"  # the API answered with another error
    NOT_CONFIGURED = "not_configured"  # a credential is missing


@dataclass(frozen=True)
class ConnectionCheck:
    """The outcome of one test connection: ``problem`` None when the upstream accepted the
    account; ``params`` fill the problem's message (host, HTTP status, reason)."""

    problem: ConnectionProblem | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


@runtime_checkable
class ConnectionTester(Protocol):
    """A plugin object (built with a ``PluginAccount``) that can test its account with one
    cheap authenticated call to its upstream; optional for providers and payment adapters."""

    async def test_connection(self) -> ConnectionCheck: ...
