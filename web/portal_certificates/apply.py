"""Applying for the certificate a voucher (or any "redeem" action) was paid for, in the portal.

The form takes the CSR pasted or uploaded (a ``.csr``/``.pem`` file wins over the text box),
the organisation name (prefilled from the customer's account) and the domain-validation
method. It is checked here before the provider is asked (``check_application``): the CSR by
``core.certificates.csr.parse_csr`` (signature, key type and size, every name by
``core.certificates.names``), then its names against what was bought — the entitlement's
``no_of_fqdns`` (every non-wildcard name, the first included) and ``no_of_wildcards`` when the
provider records them. A "check" press stops there and shows the key and the names; "apply"
goes on to the provider's ``redeem`` action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.datastructures import UploadFile

from core.certificates.csr import CsrInfo, parse_csr
from core.errors import FieldError, ValidationFailed

DCV_METHODS = ("http-token", "email")
"""Domain-validation methods offered, each with its label and instructions
(``web.certs.dcv.<method>``, ``web.certs.dcv.<method>.steps``)."""
MAX_CSR_BYTES = 16_384
TOKEN_PATH = "/.well-known/pki-validation/fileauth.txt"


@dataclass
class Application:
    """What the form sent, as typed (kept when refused)."""

    csr: str = ""
    organization_name: str = ""
    dcv_method: str = DCV_METHODS[0]
    check_only: bool = False
    errors: list[FieldError] = field(default_factory=list)


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


async def read_application(form: Any) -> Application:
    """The form's fields; an uploaded CSR file replaces the pasted text."""
    app = Application(
        csr=str(form.get("csr", "") or "").strip(),
        organization_name=_text(form, "organization_name"),
        dcv_method=_text(form, "dcv_method") or DCV_METHODS[0],
        check_only=_text(form, "step") == "check",
    )
    upload = form.get("csr_file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_CSR_BYTES + 1)
        if len(content) > MAX_CSR_BYTES:
            app.errors.append(FieldError("csr", "web.certs.csr_file_too_large"))
        else:
            try:
                app.csr = content.decode("ascii").strip()
            except UnicodeDecodeError:
                app.errors.append(FieldError("csr", "csr.unreadable"))
    return app


def allowance(data: dict[str, Any]) -> tuple[int, int] | None:
    """(FQDNs, wildcards) the entitlement was bought for, when its provider records them."""
    fqdns, wildcards = data.get("no_of_fqdns"), data.get("no_of_wildcards")
    if isinstance(fqdns, int) and isinstance(wildcards, int):
        return fqdns, wildcards
    return None


def count_errors(names: tuple[str, ...], bought: tuple[int, int] | None) -> list[FieldError]:
    """More names (or wildcards) than were paid for, said with the counts."""
    if bought is None:
        return []
    fqdns, wildcards = bought
    wild = sum(1 for name in names if name.startswith("*."))
    errors = []
    if len(names) - wild > fqdns:
        errors.append(
            FieldError(
                "csr", "web.certs.too_many_fqdns", {"count": len(names) - wild, "max": fqdns}
            )
        )
    if wild > wildcards:
        errors.append(
            FieldError("csr", "web.certs.too_many_wildcards", {"count": wild, "max": wildcards})
        )
    return errors


def check_application(app: Application, data: dict[str, Any]) -> CsrInfo | None:
    """Every local check; the CSR's facts when it could be read. Errors go to ``app.errors``."""
    info = None
    if not app.csr and not app.errors:
        app.errors.append(FieldError("csr", "web.certs.csr_required"))
    elif app.csr:
        try:
            info = parse_csr(app.csr)
        except ValidationFailed as refused:
            app.errors.extend(refused.errors)
        else:
            app.errors.extend(count_errors(info.dns_names, allowance(data)))
    if not app.organization_name:
        app.errors.append(FieldError("organization_name", "web.certs.organization_required"))
    if app.dcv_method not in DCV_METHODS:
        app.errors.append(FieldError("dcv_method", "web.certs.dcv_method_invalid"))
    return info


def dcv_steps(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any] | None:
    """What a pending certificate's owner must do to prove control of its names."""
    method = str(data.get("dcv_method") or "")
    token = str(data.get("dcv_random_value") or "")
    if not method and not token:
        return None
    method = method or "http-token"
    plain = [name for name in names if not name.startswith("*.")]
    return {
        "method": method,
        "token": token,
        "urls": [f"http://{name}{TOKEN_PATH}" for name in plain],
        "mailboxes": [f"admin@{name.removeprefix('*.')}" for name in names],
    }
