"""Domain control validation: fetch an HTTP token, or follow an e-mail approval link.

http-token: the random value must be served at ``/.well-known/pki-validation/fileauth.txt``
of each non-wildcard name. The sandbox connects to ``config.resolve(name)`` on
``config.dcv_port`` with ``Host: name`` (there is no DNS in tests).
email: an approval e-mail per name is recorded in the sandbox outbox; following its link
validates the name.
"""

from __future__ import annotations

import httpx

from plugins.digicert.sandbox.store import Record
from plugins.digicert.sandbox.upstream import Sandbox

TOKEN_PATH = "/.well-known/pki-validation/fileauth.txt"
METHODS = ("http-token", "email")
APPROVE_PATH = "/sandbox/dcv/email/"


def new_token(sb: Sandbox) -> str:
    return "".join(sb.config.rng.choice("0123456789abcdef") for _ in range(32))


def token_url(sb: Sandbox, name: str) -> str:
    host = sb.config.resolve(name)
    port = f":{sb.config.dcv_port}" if sb.config.dcv_port else ""
    return f"{sb.config.dcv_scheme}://{host}{port}{TOKEN_PATH}"


async def token_found(sb: Sandbox, name: str, token: str) -> bool:
    """Whether ``name`` serves ``token``; any failure to fetch counts as not found."""
    try:
        async with httpx.AsyncClient(timeout=sb.config.dcv_timeout, verify=False) as http:
            response = await http.get(token_url(sb, name), headers={"Host": name})
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.text.strip() == token


def send_approval_emails(sb: Sandbox, order: Record, names: list[str]) -> None:
    for name in names:
        base = name.removeprefix("*.")
        token = new_token(sb)
        sb.store.put("approvals", token, {"order_id": order["id"], "name": name})
        sb.emails.append(
            {
                "to": f"admin@{base}",
                "subject": f"[DigiCert sandbox] Approve the certificate for {name}",
                "order_id": order["id"],
                "domain": name,
                "token": token,
                "approve_path": APPROVE_PATH + token,
            }
        )
