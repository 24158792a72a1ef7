"""Template filters shared by pages and e-mails."""

from __future__ import annotations

from datetime import UTC, datetime

from core.plugins import build_plugin_manager
from core.templating import build_environment, jst_date


def test_jst_date_shows_the_day_in_japan() -> None:
    # 15:30 UTC on the 14th is already the 15th in Tokyo.
    assert jst_date("2027-03-14T15:30:00+00:00") == "2027-03-15"
    assert jst_date(datetime(2027, 3, 14, 14, 59, tzinfo=UTC)) == "2027-03-14"
    assert jst_date(None) == ""


def test_pages_have_the_filter() -> None:
    env = build_environment(build_plugin_manager(load_entrypoints=False), "pages", ["web"])
    rendered = env.from_string("{{ when | jst_date }}").render(when="2027-03-14T11:59:59+00:00")
    assert rendered == "2027-03-14"
