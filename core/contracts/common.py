"""Value types shared by every contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
