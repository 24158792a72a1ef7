"""The first journey of every install: the operator made by ``shomei operator-add`` signs in.

The journey modules build on this: the install starts empty, and only the CLI and pages put
data in it.
"""

from __future__ import annotations

from tests.journeys.stack import Stack
from tests.journeys.steps_operator import sign_in_operator

HEADING = {"ja": "運営者ホーム", "en": "Operator home"}


async def test_the_first_operator_signs_in_on_an_empty_install(stack: Stack, page, lang, shot):
    await sign_in_operator(page, stack, lang)
    await shot("operator-home")
    assert await page.get_by_role("heading", name=HEADING[lang]).is_visible()
