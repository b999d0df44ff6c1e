"""ID numbers: normalising, validating, upgrading old numbers, deriving birth date and gender."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinfa.people import idnumbers
from yinfa.people.idnumbers import IdNumberError

area_codes = st.from_regex(r"\A[1-8][0-9]{5}\Z")
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
CHECK_CHARACTERS = "0123456789X"


def full_width(text):
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() or ch == "X" else ch for ch in text)


@given(area_codes, birth_dates, sequences)
def test_every_generated_number_validates_and_gives_back_its_birth_date_and_gender(area, born, sequence):
    number = idnumbers.make(area, born, sequence)
    parsed = idnumbers.parse(number)
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.gender == ("male" if sequence % 2 else "female")
    assert parsed.area_code == area


@given(area_codes, birth_dates, sequences, st.sampled_from(CHECK_CHARACTERS))
def test_a_changed_check_character_is_rejected(area, born, sequence, wrong):
    number = idnumbers.make(area, born, sequence)
    if wrong == number[-1]:
        return
    with pytest.raises(IdNumberError) as caught:
        idnumbers.validate(number[:-1] + wrong)
    assert caught.value.code == "checksum"


@given(area_codes, birth_dates, sequences, st.data())
def test_spaces_full_width_digits_and_lower_case_x_normalise_to_the_same_number(area, born, sequence, data):
    number = idnumbers.make(area, born, sequence)
    typed = "".join(
        data.draw(st.sampled_from([ch, full_width(ch), f" {ch}", f"{ch}\u3000", ch.lower()]))
        for ch in number
    )
    assert idnumbers.normalize(typed) == number
    assert idnumbers.validate(typed) == number


@given(area_codes, st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)), sequences)
def test_an_old_15_digit_number_is_upgraded_to_a_valid_18_character_one(area, born, sequence):
    old = f"{area}{born:%y%m%d}{sequence:03d}"
    upgraded = idnumbers.validate(old)
    assert upgraded == idnumbers.make(area, born, sequence)
    assert idnumbers.parse(old).birth_date == born
    assert idnumbers.index_form(old) == upgraded


def test_an_area_code_missing_from_todays_list_is_accepted():
    # 379921 is not a real county code (the demo county's); stdnum's own validate() would refuse it.
    number = idnumbers.make("379921", datetime.date(1931, 5, 4), 17)
    assert idnumbers.is_valid(number)


def test_an_impossible_birth_date_is_rejected():
    first17 = "37992119310231017"  # 31 February
    with pytest.raises(IdNumberError) as caught:
        idnumbers.validate(first17 + idnumbers.check_character(first17))
    assert caught.value.code == "birth_date"


@pytest.mark.parametrize("value", ["3.79921193105E+17", 3.7992119310504e17, "379921193105040000.0e0"])
def test_a_number_that_excel_turned_into_a_float_is_rejected_with_its_own_reason(value):
    with pytest.raises(IdNumberError) as caught:
        idnumbers.validate(value)
    assert caught.value.code == "excel_number"


@pytest.mark.parametrize(("value", "code"), [
    ("", "empty"), ("12345", "length"), ("37992119310504017A", "format"), ("3799211931050401", "length"),
])
def test_malformed_numbers_are_rejected_with_a_reason(value, code):
    with pytest.raises(IdNumberError) as caught:
        idnumbers.validate(value)
    assert caught.value.code == code
    assert str(caught.value.message)


def test_a_15_digit_number_that_survived_as_a_float_is_still_read():
    assert idnumbers.validate(379921310504017.0) == idnumbers.upgrade_15("379921310504017")
