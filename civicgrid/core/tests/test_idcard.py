"""Resident ID numbers (GB 11643-1999): pattern, birth date, check character."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.core import clock, idcard

SHAPE = "The ID number must be 17 digits followed by a digit or X."
DATE = "The ID number holds an impossible birth date."
CHECK = "The ID number has a wrong check digit."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def reason(number: str) -> str | None:
    found = idcard.problem(number)
    return None if found is None else str(found)


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "110101199003074477"])
def test_known_valid_numbers_pass(number):
    assert idcard.problem(number) is None
    assert idcard.is_valid(number)


def test_the_check_character_of_the_standard_example_is_x():
    assert idcard.check_char("11010519491231002") == "X"
    assert idcard.check_char("44052418800101001") == "4"


def test_a_lowercase_x_and_spaces_are_normalised():
    assert idcard.normalise(" 110105 19491231002x ") == "11010519491231002X"
    assert idcard.is_valid("11010519491231002x")


def test_full_width_digits_become_ascii_so_one_person_has_one_number():
    assert idcard.normalise("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert idcard.is_valid("１１０１０５　１９４９１２３１００２Ｘ")


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491231002Y", "440524188001010015"])
def test_a_wrong_check_character_is_refused(number):
    assert reason(number) in (CHECK, SHAPE)
    assert not idcard.is_valid(number)


def test_the_reason_for_a_wrong_check_digit_is_named():
    assert reason("110105194912310021") == CHECK


@pytest.mark.parametrize(
    "number",
    [
        "",
        "1101051949123100",
        "1101051949123100200",
        "X1010519491231002X",
        "11010519491231002A",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
)
def test_a_number_of_the_wrong_shape_is_refused(number):
    assert reason(number) == SHAPE


def test_an_impossible_calendar_date_is_refused_even_with_a_right_check_digit():
    first17 = "11010519490230002"  # 30 February
    assert reason(first17 + idcard.check_char(first17)) == DATE


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = clock.today() + dt.timedelta(days=1)
    number = idcard.make("110105", tomorrow, 1, male=True)
    assert reason(number) == DATE


def test_a_birth_date_before_1880_is_refused():
    assert reason(idcard.make("110105", dt.date(1879, 12, 31), 1, male=True)) == DATE


def test_birth_date_and_gender_are_read_from_the_number():
    assert idcard.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert idcard.gender("11010519491231002X") == "female"  # 17th digit 2 is even
    assert idcard.gender("440524188001010014") == "male"  # 17th digit 1 is odd


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=10_000),
    male=st.booleans(),
)
def test_made_numbers_are_valid_and_carry_their_birth_date_and_gender(born, sequence, male):
    number = idcard.make("520602", born, sequence, male=male)
    assert idcard.is_valid(number)
    assert idcard.birth_date(number) == born
    assert idcard.gender(number) == ("male" if male else "female")


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_changing_any_single_digit_breaks_the_check(born, position, delta):
    number = idcard.make("520602", born, 7, male=True)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    assert not idcard.is_valid(changed)
