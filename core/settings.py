"""Settings from the environment (prefix ``SHOMEI_``), read through a cached getter.

Nothing here runs at import time. ``get_settings()`` reads the environment once per process;
tests build ``Settings`` directly with ``Settings.from_env(env)`` and pass it where needed.

With no variables set, shomei runs embedded: a SQLite file and a filesystem broker under
``./var/`` and a secret key generated once into ``./var/secret_key``. A PostgreSQL database URL
switches to production mode, which also needs a Redis or RabbitMQ broker and an explicit secret.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from core.errors import ConfigError
from core.i18n import LANGUAGES

PREFIX = "SHOMEI_"
SQLITE_SCHEMES = ("sqlite",)
POSTGRES_SCHEMES = ("postgres", "postgresql")
PRODUCTION_BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")

MIN_SECRET_LENGTH = 32
STRIPE_API_BASE = "https://api.stripe.com"


@dataclass(frozen=True)
class Settings:
    """Every setting shomei has. Build with ``from_env``; the defaults are the embedded mode."""

    var_dir: Path
    database_url: str
    migration_database_url: str
    broker_url: str
    secret_key: str
    host: str
    port: int
    public_url: str
    default_language: str
    log_level: str
    load_entrypoint_plugins: bool
    task_time_limit: int
    redis_url: str
    api_rate_limit: int
    smtp_url: str = ""
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://…``; empty: mail is
    recorded and written to ``var/mail/*.eml`` instead of being sent."""
    mail_from: str = "shomei@localhost"
    system_database_url: str = ""
    """PostgreSQL only: a separate role for work that spans tenants on purpose (sweeps, operator
    pages); row-level security admits every row to it alone. Empty: the app's own URL."""
    upstream_retry_delay: int = 30
    """Seconds before the first retry of a failed upstream call; each later wait doubles, at most
    30 minutes (``core.entitlements.backoff``)."""
    egress_allow_loopback: bool = False
    """URLs a tenant sets (webhook endpoints, provider base URLs) may point at this machine
    (loopback, plain http to it): the embedded demo, its sandbox upstreams and the tests only;
    on by default in the embedded mode alone (``core.egress``). ``SHOMEI_EGRESS_ALLOW_LOOPBACK``,
    or its former name ``SHOMEI_WEBHOOK_ALLOW_LOOPBACK``."""
    stripe_api_base: str = STRIPE_API_BASE
    """Where the card plugin sends Stripe API calls. Stripe's own by default; anything else is
    a sandbox (``shomei up`` points it at localstripe): the checkout page then loads shomei's
    local Stripe.js stand-in instead of ``https://js.stripe.com/v3/``."""

    @property
    def stripe_sandbox(self) -> bool:
        """True when card payments go to a Stripe stand-in (localstripe), not to Stripe."""
        return self.stripe_api_base != STRIPE_API_BASE

    @property
    def mail_folder(self) -> Path:
        """Where the embedded mode (no ``smtp_url``) writes each message as an .eml file."""
        return self.var_dir / "mail"

    @property
    def production(self) -> bool:
        """True when the database is PostgreSQL: the deployed, multi-process shape."""
        return urlsplit(self.database_url).scheme in POSTGRES_SCHEMES

    @property
    def deployment_id(self) -> str:
        """A short stable name of this deployment (its database) for shared stores' keys."""
        return hashlib.sha256(self.database_url.encode()).hexdigest()[:12]

    @property
    def database_kind(self) -> str:
        return "postgres" if self.production else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of ``sqlite:///relative/or//absolute/path``."""
        return Path(self.database_url.split("///", 1)[1])

    @property
    def broker_folder(self) -> Path:
        return self.var_dir / "broker"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every ``SHOMEI_*`` variable; ``ConfigError`` on the first bad one."""
        env = os.environ if env is None else env

        def get(name: str, default: str) -> str:
            return env.get(PREFIX + name, "").strip() or default

        var_dir = Path(get("VAR_DIR", "var")).expanduser()
        database_url = get("DATABASE_URL", f"sqlite:///{var_dir / 'shomei.sqlite3'}")
        broker_url = get("BROKER_URL", "filesystem://")
        host = get("HOST", "127.0.0.1")
        port = _port(get("PORT", "8000"))
        _check_database_url(database_url)
        production = urlsplit(database_url).scheme in POSTGRES_SCHEMES
        migration_url = get("MIGRATION_DATABASE_URL", database_url)
        _check_database_url(migration_url, "MIGRATION_DATABASE_URL")
        if (urlsplit(migration_url).scheme in POSTGRES_SCHEMES) != production:
            raise ConfigError(
                PREFIX + "MIGRATION_DATABASE_URL", "must be the same kind of database as the app's"
            )
        system_url = get("SYSTEM_DATABASE_URL", "")
        if system_url:
            _check_database_url(system_url, "SYSTEM_DATABASE_URL")
            if (urlsplit(system_url).scheme in POSTGRES_SCHEMES) != production:
                raise ConfigError(
                    PREFIX + "SYSTEM_DATABASE_URL", "must be the same kind of database as the app's"
                )
        _check_broker_url(broker_url, production)
        language = get("DEFAULT_LANGUAGE", "ja")
        if language not in LANGUAGES:
            raise ConfigError(PREFIX + "DEFAULT_LANGUAGE", f"must be one of {', '.join(LANGUAGES)}")
        # on this machine, "localhost": browsers resolve <tenant>.localhost to loopback too,
        # so a tenant's console and portal work in embedded mode with no DNS
        local = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::1") else host
        public_url = get("PUBLIC_URL", f"http://{local}:{port}").rstrip("/")
        if urlsplit(public_url).scheme not in ("http", "https"):
            raise ConfigError(PREFIX + "PUBLIC_URL", "must start with http:// or https://")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            migration_database_url=migration_url,
            system_database_url=system_url,
            broker_url=broker_url,
            secret_key=_secret_key(env.get(PREFIX + "SECRET_KEY", "").strip(), var_dir, production),
            host=host,
            port=port,
            public_url=public_url,
            default_language=language,
            log_level=get("LOG_LEVEL", "INFO").upper(),
            load_entrypoint_plugins=_flag(
                get("LOAD_ENTRYPOINT_PLUGINS", "1"), "LOAD_ENTRYPOINT_PLUGINS"
            ),
            task_time_limit=_positive_int(get("TASK_TIME_LIMIT", "300"), "TASK_TIME_LIMIT"),
            redis_url=_redis_url(get("REDIS_URL", ""), broker_url),
            api_rate_limit=_positive_int(get("API_RATE_LIMIT", "600"), "API_RATE_LIMIT"),
            smtp_url=_smtp_url(get("SMTP_URL", "")),
            mail_from=_mail_from(get("MAIL_FROM", "shomei@localhost")),
            upstream_retry_delay=_positive_int(
                get("UPSTREAM_RETRY_DELAY", "30"), "UPSTREAM_RETRY_DELAY"
            ),
            egress_allow_loopback=_egress_allow_loopback(get, production),
            stripe_api_base=stripe_api_base(env),
        )


def stripe_api_base(env: Mapping[str, str] | None = None) -> str:
    """``SHOMEI_STRIPE_API_BASE`` alone (the card adapter reads it without the rest, whose
    defaults write ``var/secret_key``), Stripe's own address when unset."""
    env = os.environ if env is None else env
    url = env.get(PREFIX + "STRIPE_API_BASE", "").strip() or STRIPE_API_BASE
    parts = urlsplit(url.rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            PREFIX + "STRIPE_API_BASE", f"{url!r} is not an http:// or https:// address"
        )
    return url.rstrip("/")


def _egress_allow_loopback(get: Callable[[str, str], str], production: bool) -> bool:
    """``EGRESS_ALLOW_LOOPBACK``, else its former name ``WEBHOOK_ALLOW_LOOPBACK``, else on in
    the embedded mode alone."""
    default = get("WEBHOOK_ALLOW_LOOPBACK", "0" if production else "1")
    name = "EGRESS_ALLOW_LOOPBACK" if get("EGRESS_ALLOW_LOOPBACK", "") else "WEBHOOK_ALLOW_LOOPBACK"
    return _flag(get("EGRESS_ALLOW_LOOPBACK", default), name)


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from ``os.environ`` on first use."""
    return Settings.from_env()


def _port(raw: str) -> int:
    port = _positive_int(raw, "PORT")
    if port > 65535:
        raise ConfigError(PREFIX + "PORT", f"{raw!r} is not a TCP port (1-65535)")
    return port


def _positive_int(raw: str, name: str) -> int:
    if not raw.isdigit() or int(raw) == 0:
        raise ConfigError(PREFIX + name, f"{raw!r} is not a positive whole number")
    return int(raw)


def _flag(raw: str, name: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(PREFIX + name, f"{raw!r} is not one of 1/0, true/false, yes/no, on/off")


def _check_database_url(url: str, setting: str = "DATABASE_URL") -> None:
    name = PREFIX + setting
    parts = urlsplit(url)
    if parts.scheme in SQLITE_SCHEMES:
        if "///" not in url or not url.split("///", 1)[1]:
            raise ConfigError(name, f"{url!r} should look like sqlite:///var/shomei.sqlite3")
        return
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ConfigError(
            name, f"{url!r} is neither sqlite:///path nor postgresql://user@host:port/database"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ConfigError(name, f"{url!r} has a malformed port") from None
    if not parts.hostname or not parts.path.strip("/"):
        raise ConfigError(name, f"{url!r} must name a host and a database")


def _check_broker_url(url: str, production: bool) -> None:
    name = PREFIX + "BROKER_URL"
    scheme = urlsplit(url).scheme
    if scheme == "filesystem":
        if production:
            raise ConfigError(
                name, "production mode (a PostgreSQL database) needs a redis:// or amqp:// broker"
            )
        return
    if scheme not in PRODUCTION_BROKER_SCHEMES:
        raise ConfigError(name, f"{url!r} is not a redis://, amqp:// or filesystem:// URL")
    try:
        urlsplit(url).port  # noqa: B018
    except ValueError:
        raise ConfigError(name, f"{url!r} has a malformed port") from None


def _redis_url(given: str, broker_url: str) -> str:
    """Where counters shared by every web process live: the given URL, else a Redis broker."""
    if given:
        if urlsplit(given).scheme not in ("redis", "rediss"):
            raise ConfigError(PREFIX + "REDIS_URL", f"{given!r} is not a redis:// URL")
        return given
    return broker_url if urlsplit(broker_url).scheme in ("redis", "rediss") else ""


def _smtp_url(url: str) -> str:
    """Empty (write .eml files) or ``smtp[s]://[user[:password]@]host[:port]``."""
    if not url:
        return ""
    name = PREFIX + "SMTP_URL"
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigError(name, "must look like smtp://user:password@host:587 or smtps://host:465")
    try:
        parts.port  # noqa: B018
    except ValueError:
        raise ConfigError(name, "has a malformed port") from None
    if not parts.hostname:
        raise ConfigError(name, "must name a host")
    return url


def _mail_from(address: str) -> str:
    if "@" not in address or any(c.isspace() for c in address):
        raise ConfigError(PREFIX + "MAIL_FROM", f"{address!r} is not an e-mail address")
    return address


def _secret_key(given: str, var_dir: Path, production: bool) -> str:
    name = PREFIX + "SECRET_KEY"
    if given:
        if len(given) < MIN_SECRET_LENGTH:
            raise ConfigError(name, f"must be at least {MIN_SECRET_LENGTH} characters long")
        return given
    if production:
        raise ConfigError(name, "is required in production mode (a PostgreSQL database)")
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of `shomei up` wrote it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
