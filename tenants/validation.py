"""Field checks shared by the tenants services; each returns a list of ``FieldError``."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import available_timezones

from core.errors import FieldError
from core.i18n import LANGUAGES
from core.prefectures import is_prefecture

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_RESERVED_SLUGS = frozenset({"www", "api", "admin", "console", "ops", "mail", "static"})


def nfkc(text: str) -> str:
    """Full-width digits and letters made half-width, surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def normalise_email(raw: str) -> str:
    return nfkc(raw).lower()


def required(field: str, value: str) -> list[FieldError]:
    return [] if value.strip() else [FieldError(field, "tenants.field_required")]


def check_email(field: str, value: str) -> list[FieldError]:
    if not value:
        return [FieldError(field, "tenants.field_required")]
    if len(value) > 255 or not _EMAIL.match(value):
        return [FieldError(field, "tenants.email_invalid")]
    return []


def normalise_postal_code(raw: str) -> str:
    """``1008978``, ``〒100-8978`` or full-width digits → ``100-8978``; else unchanged."""
    digits = nfkc(raw).replace("〒", "").replace("-", "").replace("ー", "").strip()
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 and digits.isdigit() else nfkc(raw)


def check_postal_code(field: str, value: str) -> list[FieldError]:
    if not value:
        return [FieldError(field, "tenants.field_required")]
    if not re.fullmatch(r"\d{3}-\d{4}", value):
        return [FieldError(field, "tenants.postal_code_invalid")]
    return []


def check_prefecture(field: str, value: str) -> list[FieldError]:
    if not value:
        return [FieldError(field, "tenants.field_required")]
    return [] if is_prefecture(value) else [FieldError(field, "tenants.prefecture_invalid")]


def normalise_phone(raw: str) -> str:
    return nfkc(raw).replace("ー", "-").replace(" ", "")


def check_phone(field: str, value: str) -> list[FieldError]:
    """Japanese numbers: 10 or 11 digits starting with 0, hyphens allowed."""
    if not value:
        return [FieldError(field, "tenants.field_required")]
    digits = value.replace("-", "")
    if not re.fullmatch(r"0\d{9,10}", digits) or "--" in value:
        return [FieldError(field, "tenants.phone_invalid")]
    return []


_KANA = re.compile(r"^[\u30A1-\u30FA\u30FB\u30FC\u3000 ]+$")


def normalise_kana(raw: str) -> str:
    """Half-width katakana made full-width (NFKC), hiragana made katakana, spaces kept single."""
    text = "".join(
        chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c
        for c in nfkc(raw).replace("\u3000", " ")
    )
    return " ".join(text.split())


def check_kana(field: str, value: str) -> list[FieldError]:
    """A name's reading (フリガナ) in katakana; ``ー``, ``・`` and spaces allowed."""
    if not value:
        return [FieldError(field, "tenants.field_required")]
    if len(value) > 255 or not _KANA.match(value):
        return [FieldError(field, "tenants.kana_invalid")]
    return []


def check_colour(field: str, value: str) -> list[FieldError]:
    return [] if _COLOUR.match(value) else [FieldError(field, "tenants.colour_invalid")]


def check_https_url(field: str, value: str) -> list[FieldError]:
    """Empty, or an ``https://`` address without spaces."""
    if value and (not value.startswith("https://") or len(value) <= 8 or " " in value):
        return [FieldError(field, "tenants.url_invalid")]
    return []


def check_language(field: str, value: str) -> list[FieldError]:
    return [] if value in LANGUAGES else [FieldError(field, "tenants.language_invalid")]


def check_time_zone(field: str, value: str) -> list[FieldError]:
    if value in available_timezones():
        return []
    return [FieldError(field, "tenants.time_zone_invalid")]


def check_slug(field: str, value: str) -> list[FieldError]:
    if not _SLUG.match(value) or "--" in value or value in _RESERVED_SLUGS:
        return [FieldError(field, "tenants.slug_invalid")]
    return []


def normalise_host(raw: str) -> str:
    """Lower case, without port and trailing dot; IDN labels as punycode."""
    host = nfkc(raw).lower().rstrip(".")
    if host.startswith("["):  # an IPv6 literal is never a tenant's host
        return host
    host = host.split(":", 1)[0].rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def check_domain(field: str, value: str) -> list[FieldError]:
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return [FieldError(field, "tenants.domain_invalid")]
    return []


def check_length(field: str, value: str, maximum: int) -> list[FieldError]:
    if len(value) > maximum:
        return [FieldError(field, "tenants.too_long", {"maximum": maximum})]
    return []
