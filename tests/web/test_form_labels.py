"""Every HTML page of the walk (``tests/web/page_walk.py``: every GET route, both languages,
signed in and as a visitor) has: an accessible name on every field (``<input>`` other than
hidden and buttons, ``<select>``, ``<textarea>``), exactly one ``<h1>``, and ``<html lang>``
equal to the language asked for. The failure lists each page with each of its problems."""

from __future__ import annotations

import pytest

from tests.web.browser import browser
from tests.web.console.world import Tenant
from tests.web.html_audit import audit, page_problems
from tests.web.page_walk import (  # noqa: F401  (fixtures)
    app,
    settings,
    start_walk,
    token_server,
    upstream,
    world,
)

NAMED = [
    '<label for="email">E-mail</label><input id="email" name="email" type="email">',
    '<label>Plan <select name="plan"><option>a</option></select></label>',
    '<textarea name="csr" aria-label="CSR"></textarea>',
    '<h2 id="t">Reason</h2><input name="reason" aria-labelledby="t">',
    '<label><input type="checkbox" name="agree"> I agree</label>',
    '<input type="hidden" name="csrf_token" value="x"><input type="submit" value="Go">',
    '<input type="image" src="a.png" alt="Go"><input type="button" value="Go">',
]
UNNAMED = [
    ('<input name="email">', '<input name="email">'),
    ('<label for="other">E-mail</label><input id="email" name="email">', "email"),
    ('<label for="email"> </label><input id="email" name="email">', "email"),
    ('<select name="plan"><option>a</option></select>', '<select name="plan">'),
    ('<textarea id="csr" name="csr" aria-label=" "></textarea>', "csr"),
    ('<input name="reason" aria-labelledby="nowhere">', "reason"),
    ('<input type="checkbox" name="agree"><label>I agree</label>', "agree"),
    ('<input type="TEXT" name="q" placeholder="Search">', "q"),
]


@pytest.mark.parametrize("snippet", NAMED)
def test_a_named_field_passes(snippet: str) -> None:
    assert audit(snippet).unnamed_fields() == []


@pytest.mark.parametrize(("snippet", "named_in_report"), UNNAMED)
def test_a_field_without_a_name_is_reported(snippet: str, named_in_report: str) -> None:
    unnamed = audit(snippet).unnamed_fields()
    assert len(unnamed) == 1 and named_in_report in unnamed[0]


def test_headings_and_language_are_checked() -> None:
    good = '<html lang="en"><body><h1>Orders</h1><h2>Filter</h2></body></html>'
    assert page_problems(good, "en") == []
    assert page_problems(good, "ja") == ['<html lang="en"> (expected "ja")']
    none = '<html lang="ja"><body><h2>Orders</h2></body></html>'
    assert page_problems(none, "ja") == ["0 <h1> elements (one expected)"]
    two = '<html lang="ja"><h1>A</h1><h1>B</h1></html>'
    assert page_problems(two, "ja") == ["2 <h1> elements (one expected)"]


async def test_every_page_names_its_fields_and_has_one_h1_and_its_language(
    app,  # noqa: F811
    settings,  # noqa: F811
    world: Tenant,  # noqa: F811
    upstream,  # noqa: F811
) -> None:
    report: list[str] = []
    forms = 0
    async with browser(app, world.shop.host) as client:
        walk = await start_walk(client, settings, world, upstream.clock)
        async for visit in walk.visits(app):
            if not visit.is_html:
                continue
            forms += len(audit(visit.response.text).fields)
            report += [
                f"{visit.where}: {p}" for p in page_problems(visit.response.text, visit.lang)
            ]
    assert forms > 50  # the walk reached the pages with forms
    assert not report, "\n".join(report)
