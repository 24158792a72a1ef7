"""The one CSV writer: BOM, CRLF, and no cell a spreadsheet would run as a formula."""

import csv
import io

import pytest

from core.csv_writer import csv_document, safe_cell


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]
)
def test_a_text_that_a_spreadsheet_would_run_is_written_as_text(text):
    assert safe_cell(text) == "'" + text


def test_plain_text_numbers_and_empty_cells_are_left_as_they_are():
    assert [safe_cell(v) for v in ("株式会社サンプル", "a=b", -1100, 0, None)] == [
        "株式会社サンプル", "a=b", -1100, 0, "",
    ]  # fmt: skip


def test_the_document_has_a_bom_crlf_and_guarded_cells():
    content = csv_document(["名前", "金額"], [["=1+1", -1100], ["山田, 太郎", 5]])
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert list(csv.reader(io.StringIO(text))) == [
        ["名前", "金額"], ["'=1+1", "-1100"], ["山田, 太郎", "5"],
    ]  # fmt: skip


def test_a_bare_datetime_is_refused_so_no_utc_time_reaches_a_sheet():
    from datetime import UTC, datetime

    with pytest.raises(TypeError):
        csv_document(["created"], [[datetime(2026, 3, 14, 23, 30, tzinfo=UTC)]])
