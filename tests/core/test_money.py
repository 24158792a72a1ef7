import pytest

from core.errors import ValidationFailed
from core.money import Rounding, TaxTotal, grand_total, parse_yen, tax_on, tax_totals


def test_tax_is_computed_once_per_rate_not_per_line():
    totals = tax_totals([(105, 10), (105, 10), (105, 10)], Rounding.DOWN)
    assert totals == [TaxTotal(rate=10, taxable=315, tax=31)]
    assert sum(tax_on(105, 10, Rounding.DOWN) for _ in range(3)) == 30  # the wrong way


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [(Rounding.DOWN, 31), (Rounding.UP, 32), (Rounding.HALF_UP, 32)],
)
def test_each_rounding_rule(rounding, expected):
    assert tax_on(315, 10, rounding) == expected


def test_half_up_rounds_below_half_down():
    assert tax_on(314, 10, Rounding.HALF_UP) == 31  # 31.4
    assert tax_on(3149, 8, Rounding.HALF_UP) == 252  # 251.92


def test_rates_are_totalled_separately_highest_first():
    totals = tax_totals([(1000, 8), (2000, 10), (999, 8)], Rounding.DOWN)
    assert totals == [TaxTotal(10, 2000, 200), TaxTotal(8, 1999, 159)]
    assert grand_total(totals) == 2000 + 200 + 1999 + 159


def test_floats_are_refused():
    with pytest.raises(TypeError):
        tax_on(100.0, 10, Rounding.DOWN)


@pytest.mark.parametrize(
    "typed",
    ["22,000", "２２０００", "22000円", "22000", "¥22,000", "￥２２，０００", " 22 000 "],  # noqa: RUF001
)
def test_yen_as_people_type_it(typed):
    assert parse_yen(typed, "base") == 22_000


@pytest.mark.parametrize("typed", ["", "22.5", "-100", "2,20,00", "abc", "22,000ドル", "1e5"])
def test_yen_refusals_name_the_field(typed):
    with pytest.raises(ValidationFailed) as refused:
        parse_yen(typed, "per_wildcard")
    assert [(e.field, e.message_id) for e in refused.value.errors] == [
        ("per_wildcard", "money.yen_invalid")
    ]


def test_a_labelled_refusal_names_the_field_in_its_message():
    with pytest.raises(ValidationFailed) as refused:
        parse_yen("二万円", "base", "基本価格")
    (error,) = refused.value.errors
    assert (error.field, error.message_id) == ("base", "money.yen_invalid_named")
    assert error.params == {"value": "二万円", "label": "基本価格"}
