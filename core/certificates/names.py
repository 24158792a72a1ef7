"""Which DNS names a server certificate may carry: the one rule, used by every issuer.

From the CA/Browser Forum Baseline Requirements (§7.1.2.7.12 subject alternative names,
§7.1.4.3 subject common name, §3.2.2.4 validation of domains) and RFC 5280 §4.2.1.6 with the
preferred name syntax of RFC 1034 §3.5 / RFC 1123 §2.1:

- a dNSName is a fully qualified domain name of letters, digits and hyphens (no label starts or
  ends with a hyphen, labels of 1 to 63 characters, 253 characters in all), in lower or upper
  case; a wildcard is only the whole leftmost label (``*.example.com``);
- an IP address is never a dNSName (``10.0.0.5`` or ``::1`` written as a DNS name is refused:
  an IP address would be an iPAddress SAN, which this product does not certify);
- an internal name — one label only, or under a suffix that is not a public top-level domain
  such as ``.local``, ``.internal``, ``.lan`` or ``.corp`` — cannot be validated and has not
  been certified by public CAs since 2015 (BR §4.2.2, "Internal Names").

Each refusal is a ``FieldError`` (field ``csr`` unless told) with a ``csr.*`` message id and
the name as ``{name}``, so a form or the API shows it in the customer's language. The product
limits (how many names, how many wildcards) stay with each provider.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from core.errors import FieldError

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_NAME = 253
INTERNAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".corp", ".home", ".intranet")

NOT_DNS = "csr.name_not_dns"
INVALID = "csr.name_invalid"
INTERNAL = "csr.internal_name"


def is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def name_error(name: str, field: str = "csr") -> FieldError | None:
    """Why ``name`` may not be a server certificate's DNS name, or None when it may."""
    host = name[2:] if name.startswith("*.") else name
    if is_ip_address(host):
        return FieldError(field, NOT_DNS, {"names": name})
    labels = host.lower().split(".")
    if "*" in host or len(host) > MAX_NAME or not all(LABEL.match(label) for label in labels):
        return FieldError(field, INVALID, {"name": name})
    if len(labels) < 2 or f".{labels[-1]}" in INTERNAL_SUFFIXES:
        return FieldError(field, INTERNAL, {"name": name})
    return None


def name_errors(names: Iterable[str], field: str = "csr") -> list[FieldError]:
    """One error for each name of ``names`` that a server certificate may not carry."""
    return [error for name in names if (error := name_error(name, field)) is not None]
