import pytest

from core.errors import FieldError
from tenants.registration_number import (
    check_digit,
    check_registration_number,
    is_corporate_number,
)

# Published 法人番号: 国税庁, トヨタ自動車, ソニーグループ, and two from public articles.
REAL = ["7000012050002", "1180301018771", "5010401067252", "4011001098993", "2120901007402"]


@pytest.mark.parametrize("number", REAL)
def test_real_published_numbers_pass(number):
    assert check_digit(number[1:]) == int(number[0])
    assert is_corporate_number(number)
    assert check_registration_number("T" + number) == []


def test_worked_example_of_the_rule():
    # base 123456789012: Σ from the right with weights 1,2,1,2… = 74; 74 mod 9 = 2; 9 - 2 = 7
    assert check_digit("123456789012") == 7


@pytest.mark.parametrize("number", ["8000012050002", "7000012050003", "1180301018772"])
def test_a_changed_digit_is_caught(number):
    assert not is_corporate_number(number)
    assert check_registration_number("T" + number) == [
        FieldError("registration_number", "tenants.registration_number_check_digit")
    ]


@pytest.mark.parametrize(
    "raw", ["7000012050002", "T700001205000", "X7000012050002", "T70000120500O2"]
)
def test_format_errors(raw):
    assert check_registration_number(raw)[0].message_id == "tenants.registration_number_format"


def test_full_width_and_hyphens_are_accepted():
    assert (
        check_registration_number(
            "\uff54\uff17\uff10\uff10\uff10-\uff10\uff11\uff12\uff10-\uff15\uff10\uff10\uff10\uff12"
        )
        == []
    )


def test_empty_is_required():
    assert check_registration_number(" ")[0].message_id == "tenants.field_required"
