"""Destructive console actions ask first (issue 14, staff work).

Cancelling a voucher order, reissuing a voucher code, revoking an API key, voiding an
invoice, deactivating a staff member or taking back the operator's consent cannot be undone.
Their form posts without ``confirm=yes``: the action does nothing and answers a confirmation
page (``pages/console/confirm.html``) that says what will happen, repeats the form's own
fields and posts them again with ``confirm=yes``. No JavaScript is involved, and a request
that skips the page (a script, a replayed form) is refused the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response

from web.console.access import SignedInStaff
from web.console.forms import form_text
from web.console.pages import page

CONFIRM_STATUS = 409
"""Nothing was done: the action waits for the person's confirmation (the page asks for it)."""


@dataclass(frozen=True)
class Confirmation:
    """What the page asks: ``what`` (a message id and its parameters) names the object and
    what happens to it; ``action`` is where the form posts again, ``back`` where 'keep it'
    leads; ``fields`` are the original form's values, posted again as they were."""

    section: str
    what: str
    action: str
    back: str
    button: str
    params: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


def confirmed(form: Any) -> bool:
    """The form carries the person's confirmation (the confirmation page's own post)."""
    return form_text(form, "confirm") == "yes"


def confirm_page(
    request: Request[Any, Any, Any], me: SignedInStaff, asked: Confirmation
) -> Response[Any]:
    return page(
        request,
        me,
        "pages/console/confirm.html",
        status=CONFIRM_STATUS,
        section=asked.section,
        asked=asked,
    )
