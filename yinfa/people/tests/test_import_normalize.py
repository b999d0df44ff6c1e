"""Cell values of a roster: dates in every format offices use, ID numbers as they are typed, choices."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinfa.people import idnumbers
from yinfa.people.imports import normalize
from yinfa.people.imports.normalize import DAY, MONTH, CellError, PartialDate
from yinfa.people.models import Level, LivingStatus, PoliticalStatus, SelfCare


@pytest.mark.parametrize(("cell", "expected", "precision"), [
    ("1945.03", datetime.date(1945, 3, 1), MONTH),
    ("1945.3", datetime.date(1945, 3, 1), MONTH),
    ("1945年3月", datetime.date(1945, 3, 1), MONTH),
    ("1945年3月7日", datetime.date(1945, 3, 7), DAY),
    ("1945年03月07日", datetime.date(1945, 3, 7), DAY),
    ("1945-03-07", datetime.date(1945, 3, 7), DAY),
    ("1945/3/7", datetime.date(1945, 3, 7), DAY),
    ("1945.03.07", datetime.date(1945, 3, 7), DAY),
    ("194503", datetime.date(1945, 3, 1), MONTH),
    ("19450307", datetime.date(1945, 3, 7), DAY),
    ("１９４５．０３", datetime.date(1945, 3, 1), MONTH),
    (" 1945-03-07 00:00:00 ", datetime.date(1945, 3, 7), DAY),
    (datetime.date(1945, 3, 7), datetime.date(1945, 3, 7), DAY),
    (datetime.datetime(1945, 3, 7, 0, 0), datetime.date(1945, 3, 7), DAY),
    (194503, datetime.date(1945, 3, 1), MONTH),
    (19450307, datetime.date(1945, 3, 7), DAY),
    (1945.03, datetime.date(1945, 3, 1), MONTH),
    (1945.12, datetime.date(1945, 12, 1), MONTH),
    (16503, datetime.date(1945, 3, 7), DAY),  # an Excel serial number (a date cell without a date format)
])
def test_every_date_format_of_real_rosters_is_read(cell, expected, precision):
    assert normalize.parse_date(cell) == PartialDate(expected, precision)


@pytest.mark.parametrize("cell", ["1945.13", "1945-02-30", "明年", "1945", 1945, 1945.1, "45.03", "0000-00-00"])
def test_impossible_or_ambiguous_dates_are_refused_with_a_reason(cell):
    with pytest.raises(CellError) as refused:
        normalize.parse_date(cell)
    assert refused.value.reason


def test_a_month_precise_date_matches_any_day_of_that_month():
    march = normalize.parse_date("1945.03")
    assert march.same_as(datetime.date(1945, 3, 7))
    assert not march.same_as(datetime.date(1945, 4, 7))
    assert not normalize.parse_date("1945-03-07").same_as(datetime.date(1945, 3, 8))


dates = st.dates(min_value=datetime.date(1880, 1, 1), max_value=datetime.date(2100, 12, 31))


@given(day=dates, style=st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "{y}年{m}月{d}日",
                                         "{y}/{m}/{d}"]))
def test_any_day_written_in_any_format_reads_back_as_that_day(day, style):
    cell = style.format(y=day.year, m=day.month, d=day.day) if "{" in style else day.strftime(style)
    assert normalize.parse_date(cell) == PartialDate(day, DAY)


@given(day=dates, style=st.sampled_from(["%Y.%m", "%Y-%m", "%Y%m", "{y}年{m}月", "{y}.{m}"]))
def test_any_month_written_in_any_format_reads_back_as_that_month(day, style):
    cell = style.format(y=day.year, m=day.month) if "{" in style else day.strftime(style)
    assert normalize.parse_date(cell) == PartialDate(day.replace(day=1), MONTH)


@given(st.text(max_size=20))
def test_the_date_parser_never_crashes_on_any_text(cell):
    try:
        result = normalize.parse_date(cell)
    except CellError as refused:
        assert refused.reason
    else:
        assert 1880 <= result.value.year <= 2100


# --- ID numbers --------------------------------------------------------------------------------------------

VALID = idnumbers.make("379921", datetime.date(1950, 5, 12), 123)
# What Excel leaves of an 18-digit number: 15 significant digits, then zeros (here failing the check).
TRUNCATED = next(n[:15] + "000" for day in range(1, 28)
                 for n in [idnumbers.make("379921", datetime.date(1950, 5, day), 123)]
                 if not idnumbers.is_valid(n[:15] + "000"))


def test_an_id_typed_with_spaces_full_width_digits_and_lower_x_is_normalised():
    number = idnumbers.make("110101", datetime.date(1948, 1, 1), 7)
    while not number.endswith("X"):  # find one whose check character is X
        number = idnumbers.make("110101", datetime.date(1948, 1, 1), int(number[14:17]) + 2)
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    messy = " ".join([number[:6], number[6:14], number[14:]]).translate(full_width)
    assert normalize.parse_id_number(messy.replace("X", "x")).number == number


def test_a_15_digit_number_is_upgraded_and_yields_birth_date_and_gender():
    parsed = normalize.parse_id_number("370102450307123")
    assert parsed.number == idnumbers.upgrade_15("370102450307123")
    assert len(parsed.number) == 18
    assert parsed.birth_date == datetime.date(1945, 3, 7)
    assert parsed.gender == idnumbers.MALE


@pytest.mark.parametrize("cell", [3.79921195503081e17, float(VALID), int(TRUNCATED),
                                  "3.79921195503081E+17", TRUNCATED])
def test_an_id_stored_as_a_number_that_lost_digits_is_refused_as_such(cell):
    with pytest.raises(CellError) as refused:
        normalize.parse_id_number(cell)
    assert refused.value.reason == str(idnumbers.IdNumberError("excel_number").message)


def test_a_wrong_check_character_is_refused():
    wrong = VALID[:17] + ("1" if VALID[17] != "1" else "2")
    with pytest.raises(CellError) as refused:
        normalize.parse_id_number(wrong)
    assert refused.value.reason == str(idnumbers.IdNumberError("checksum").message)


def test_a_historical_area_code_missing_from_todays_list_is_accepted():
    number = idnumbers.make("379921", datetime.date(1940, 1, 1), 15)  # 3799xx was never a current code
    assert normalize.parse_id_number(number).number == number


def _messy(number, data):
    out = []
    for ch in number:
        if data.draw(st.booleans()):
            ch = ch.translate(str.maketrans("0123456789X", "０１２３４５６７８９x"))
        out.append(ch)
        if data.draw(st.integers(0, 6)) == 0:
            out.append(data.draw(st.sampled_from([" ", "\u3000", "-"])))
    return "".join(out)


@given(area=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True),
       born=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2000, 12, 31)),
       sequence=st.integers(0, 999), data=st.data())
def test_any_valid_id_rendered_messily_normalises_back(area, born, sequence, data):
    number = idnumbers.make(area, born, sequence)
    parsed = normalize.parse_id_number(_messy(number, data))
    assert parsed.number == number
    assert parsed.birth_date == born
    assert parsed.gender == (idnumbers.MALE if sequence % 2 else idnumbers.FEMALE)
    assert parsed == idnumbers.parse(number)  # the fast path agrees with the reference


# --- choices and phones ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("parser", "cell", "expected"), [
    (normalize.parse_gender, "男", "male"), (normalize.parse_gender, " 女 ", "female"),
    (normalize.parse_category, "离休干部", "lixiu"), (normalize.parse_category, "退休", "tuixiu"),
    (normalize.parse_level, "正县处级", Level.COUNTY_FULL), (normalize.parse_level, "二级巡视员", Level.BUREAU_DEPUTY),
    (normalize.parse_level, "副科", Level.SECTION_DEPUTY), (normalize.parse_level, "科员", Level.CLERK),
    (normalize.parse_political, "中共党员", PoliticalStatus.PARTY_MEMBER),
    (normalize.parse_political, "九三学社社员", PoliticalStatus.DEMOCRATIC_PARTY),
    (normalize.parse_political, "群众", PoliticalStatus.MASSES),
    (normalize.parse_living, "与老伴同住", LivingStatus.WITH_SPOUSE),
    (normalize.parse_living, "独居", LivingStatus.ALONE),
    (normalize.parse_self_care, "半自理", SelfCare.PARTLY), (normalize.parse_self_care, "卧床", SelfCare.DEPENDENT),
])
def test_choice_synonyms_map_to_the_model_choices(parser, cell, expected):
    assert parser(cell) == expected


@pytest.mark.parametrize(("parser", "cell"), [
    (normalize.parse_category, "在职"), (normalize.parse_level, "厅局级"), (normalize.parse_living, "很好"),
    (normalize.parse_self_care, "良好"), (normalize.parse_gender, "未知"),
])
def test_unknown_choice_values_are_errors_not_silently_dropped(parser, cell):
    with pytest.raises(CellError) as refused:
        parser(cell)
    assert cell in refused.value.reason


def test_phone_cells_hold_one_or_more_numbers():
    assert normalize.parse_phones(13800138000.0) == ["13800138000"]
    assert normalize.parse_phones("138 0013 8000") == ["13800138000"]
    assert normalize.parse_phones("13800138000、0531-88886666") == ["13800138000", "0531-88886666"]
    assert normalize.parse_phones("13800138000 13900139000") == ["13800138000", "13900139000"]
    with pytest.raises(CellError):
        normalize.parse_phones("打办公室")
