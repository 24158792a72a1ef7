from datetime import date

import pytest

from plugins.bank_transfer.eras import EraDateError, format_era_date, parse_era_date
from plugins.bank_transfer.zengin import ZenginError, parse_zengin
from tests.plugins.bank_transfer.builder import (
    Movement,
    Transfer,
    end_record,
    notice_file,
    notice_group,
    statement_file,
)

TODAY = date(2026, 4, 20)


def test_transfer_notice_fields_are_read_from_their_columns():
    data = notice_file([Transfer(11_000, "A1B2C3 ﾔﾏﾀﾞ ﾀﾛｳ", inquiry=42, edi="INV-7")])
    parsed = parse_zengin(data, TODAY)
    assert parsed.kind == "transfer_notice"
    assert parsed.created_on == date(2026, 4, 15)
    (line,) = parsed.lines
    assert line.inquiry_number == "000042"
    assert line.account_date == date(2026, 4, 15)
    assert line.amount == 11_000
    assert line.payer_name == "A1B2C3 ﾔﾏﾀﾞ ﾀﾛｳ"
    assert line.remitting_bank == "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ"
    assert line.edi == "INV-7"
    assert line.account.account_number == "1234567"
    assert line.account.account_name == "ｼﾖｳﾒｲ(ｶ"
    assert line.credit and not line.cancelled


@pytest.mark.parametrize("separator", [b"\r\n", b"\n", b""])
def test_separators_do_not_change_the_fingerprints(separator):
    transfers = [Transfer(5_000, "A1B2C3 ﾀﾅｶ"), Transfer(7_000, "ｽｽﾞｷ", inquiry=2)]
    reference = parse_zengin(notice_file(transfers), TODAY)
    parsed = parse_zengin(notice_file(transfers, separator=separator), TODAY)
    assert parsed.fingerprint == reference.fingerprint
    assert [x.fingerprint for x in parsed.lines] == [x.fingerprint for x in reference.lines]


def test_the_same_file_parsed_twice_gives_the_same_fingerprints():
    data = notice_file([Transfer(5_000, "A1B2C3 ﾀﾅｶ"), Transfer(5_000, "A1B2C3 ﾀﾅｶ", inquiry=2)])
    first, second = parse_zengin(data, TODAY), parse_zengin(data, TODAY)
    assert first.fingerprint == second.fingerprint
    assert [x.fingerprint for x in first.lines] == [x.fingerprint for x in second.lines]
    # two transfers alike except for the bank's inquiry number stay distinct
    assert first.lines[0].fingerprint != first.lines[1].fingerprint


def test_trailer_count_mismatch_refuses_the_whole_file():
    data = notice_file([Transfer(5_000, "ﾀﾅｶ"), Transfer(6_000, "ｽｽﾞｷ", inquiry=2)], count=3)
    with pytest.raises(ZenginError) as caught:
        parse_zengin(data, TODAY)
    assert caught.value.check == "trailer.count"
    assert "振込件数 3" in str(caught.value)


def test_trailer_amount_mismatch_refuses_the_whole_file():
    data = notice_file([Transfer(5_000, "ﾀﾅｶ")], total=5_001)
    with pytest.raises(ZenginError) as caught:
        parse_zengin(data, TODAY)
    assert caught.value.check == "trailer.total"
    assert caught.value.record == 3


def test_cancellation_records_are_counted_apart_and_not_incoming():
    data = notice_file([Transfer(5_000, "ﾀﾅｶ"), Transfer(5_000, "ﾀﾅｶ", inquiry=2, cancelled=True)])
    parsed = parse_zengin(data, TODAY)
    assert [line.cancelled for line in parsed.lines] == [False, True]
    assert len(parsed.incoming()) == 1


def test_several_accounts_in_one_file():
    records = [
        *notice_group([Transfer(1_000, "ﾀﾅｶ")], account_number="7000001"),
        *notice_group([Transfer(2_000, "ｽｽﾞｷ")], account_number="7000002"),
        end_record(),
    ]
    parsed = parse_zengin(b"".join(records), TODAY)
    assert [a.account_number for a in parsed.accounts] == ["7000001", "7000002"]
    assert [line.account.account_number for line in parsed.lines] == ["7000001", "7000002"]


def test_account_statement_keeps_debits_out_of_incoming():
    data = statement_file([Movement(8_000, "A1B2C3 ﾀﾅｶ"), Movement(3_000, credit=False, inquiry=2)])
    parsed = parse_zengin(data, TODAY)
    assert parsed.kind == "account_statement"
    assert [line.amount for line in parsed.incoming()] == [8_000]
    assert parsed.lines[0].transaction_type == "11"
    assert parsed.lines[1].credit is False


@pytest.mark.parametrize(
    ("data", "check"),
    [
        (b"", "structure"),
        (b"1" * 199, "record.length"),
        (b"\r\n".join(notice_group([Transfer(1, "ﾀﾅｶ")])), "structure"),  # no end record
        (notice_file([Transfer(1, "ﾀﾅｶ")]) + end_record(), "structure"),  # after the end
    ],
)
def test_malformed_files_name_the_check(data, check):
    with pytest.raises(ZenginError) as caught:
        parse_zengin(data, TODAY)
    assert caught.value.check == check


def test_non_digits_in_a_numeric_field_are_refused():
    data = bytearray(notice_file([Transfer(1_000, "ﾀﾅｶ")], separator=b""))
    data[200 + 20] = ord("X")  # inside the data record's amount (columns 20-29)
    with pytest.raises(ZenginError) as caught:
        parse_zengin(bytes(data), TODAY)
    assert caught.value.check == "numeric"
    assert "amount" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("080415", date(2026, 4, 15)),  # 令和8年 = 2026
        ("010501", date(2019, 5, 1)),  # 令和元年の初日
        ("310430", date(2019, 4, 30)),  # 平成31年4月30日, the last day of Heisei
        ("300101", date(2018, 1, 1)),  # 平成30年
        ("010108", date(1989, 1, 8)),  # 平成元年 (令和1年1月 does not exist)
        ("000000", None),
    ],
)
def test_era_dates(text, expected):
    assert parse_era_date(text, TODAY) == expected
    if expected is not None:
        assert format_era_date(expected) == text


def test_impossible_era_dates_are_refused():
    with pytest.raises(EraDateError):
        parse_era_date("081332", TODAY)
    with pytest.raises(EraDateError):
        parse_era_date("320101", TODAY)  # 令和32年 is far in the future, 平成32年 never was
