"""Importing pension bases from a sheet: the month and amount parsers (with Hypothesis), the preview with errors
per row, all-or-nothing, and an upsert (the same file twice changes nothing)."""

import datetime
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.dues.imports import parse_amount, parse_month_cell
from yinfa.dues.models import BaseSource, PensionBase
from yinfa.dues.tests.helpers import TODAY, build, on
from yinfa.people.imports.normalize import CellError

D = Decimal
URL = "/dues/bases/import/"

years = st.integers(2000, 2099)
months = st.integers(1, 12)


@given(years, months, st.sampled_from(["{y}-{m:02d}", "{y}-{m}", "{y}年{m}月", "{y}年{m:02d}月", "{y}{m:02d}",
                                       "{y}.{m:02d}", "{y}/{m}", " {y}-{m:02d} ", "{y}-{m:02d}-01"]))
def test_a_month_written_any_usual_way_is_read(year, month, pattern):
    assert parse_month_cell(pattern.format(y=year, m=month)) == datetime.date(year, month, 1)


@given(years, months, st.integers(1, 28))
def test_a_month_cell_holding_a_date_or_a_number_is_read(year, month, day):
    expected = datetime.date(year, month, 1)
    assert parse_month_cell(datetime.date(year, month, day)) == expected
    assert parse_month_cell(datetime.datetime(year, month, day, 0, 0)) == expected
    assert parse_month_cell(int(f"{year}{month:02d}")) == expected
    assert parse_month_cell(float(f"{year}{month:02d}")) == expected


@given(st.text(max_size=12))
def test_any_text_is_a_month_or_a_readable_error(value):
    try:
        parsed = parse_month_cell(value)
    except CellError as exc:
        assert exc.reason
    else:
        assert parsed.day == 1


@pytest.mark.parametrize("value", ["2026-13", 2026.1, "明年", "", None, "2026"])
def test_months_that_cannot_be_read_are_refused(value):
    with pytest.raises(CellError):
        parse_month_cell(value)


amounts = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(amounts, st.sampled_from(["{a}", "{a:,}", "¥{a}", "￥{a:,}", "{a}元", " {a} "]))
def test_an_amount_written_any_usual_way_is_read_to_the_fen(amount, pattern):
    assert parse_amount(pattern.format(a=amount)) == amount


@given(amounts)
def test_a_number_cell_is_read_exactly(amount):
    assert parse_amount(float(amount)) == amount
    if amount == amount.to_integral_value():
        assert parse_amount(int(amount)) == amount


@given(st.decimals(min_value=D("0.001"), max_value=D("99999.999"), places=3)
       .filter(lambda d: d != d.quantize(D("0.01"))))
def test_more_than_two_decimals_is_refused(amount):
    with pytest.raises(CellError, match="two decimal"):
        parse_amount(str(amount))


@pytest.mark.parametrize("value", ["-1", "-0.01", "abc", "", None, True, "1e9", "NaN"])
def test_impossible_amounts_are_refused(value):
    with pytest.raises(CellError):
        parse_amount(value)


# --- the pages ------------------------------------------------------------------------------------------------

@pytest.fixture
def dues(world):
    with on(TODAY):
        yield build(world, members=2)


def sheet(rows, headers=("姓名", "身份证号", "基本离退休费", "起始月份"), title=True):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    page = book.add_worksheet("基数")
    line = 0
    if title:
        page.write(0, 0, "甲县财政局离退休干部基本离退休费表")
        line = 2
    page.write_row(line, 0, headers)
    for row in rows:
        line += 1
        page.write_row(line, 0, row)
    page.write_row(line + 1, 0, ["合计", "", 1, ""])
    page.write_row(line + 2, 0, ["填表人：张三", "", "", ""])
    book.close()
    return SimpleUploadedFile("bases.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post(URL, {"action": "upload", "file": file})


def confirm(client, response):
    token = response.context["preview"].token
    return client.post(URL, {"action": "confirm", "token": token}, follow=True)


@pytest.mark.django_db
def test_a_good_sheet_is_previewed_then_imported(dues):
    a, b = dues.members
    client = login(dues.secretary)
    with on(TODAY):
        response = upload(client, sheet([[a.name, a.id_number, 4800, "2026-07"],
                                         [b.name, b.id_number, "5,200.50", "2026年7月"]]))
        assert response.status_code == 200
        preview = response.context["preview"]
        assert preview.errors == [] and preview.counts() == {"new": 2, "update": 0, "unchanged": 0}
        assert a.id_number not in response.content.decode()  # shown masked
        assert PensionBase.objects.filter(effective_month=datetime.date(2026, 7, 1)).count() == 0
        done = confirm(client, response)
    assert "2 new" in done.content.decode()
    imported = PensionBase.objects.filter(effective_month=datetime.date(2026, 7, 1))
    assert {(base.person_id, base.amount) for base in imported} == {(a.pk, D("4800.00")), (b.pk, D("5200.50"))}
    assert {base.source for base in imported} == {BaseSource.IMPORTED}
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["created"] == 2 and event.personal_data


@pytest.mark.django_db
def test_the_same_sheet_twice_changes_nothing_and_a_changed_amount_updates(dues):
    a, b = dues.members
    client = login(dues.secretary)
    rows = [[a.name, a.id_number, 4800, "2026-07"], [b.name, b.id_number, 5000, "202607"]]
    with on(TODAY):
        confirm(client, upload(client, sheet(rows)))
        before = list(PensionBase.objects.order_by("pk").values_list("pk", "amount"))
        again = upload(client, sheet(rows))
        assert again.context["preview"].counts() == {"new": 0, "update": 0, "unchanged": 2}
        done = confirm(client, again)
        assert "0 new, 0 changed, 2 already recorded" in done.content.decode()
        assert list(PensionBase.objects.order_by("pk").values_list("pk", "amount")) == before
        rows[1][2] = 5100
        changed = upload(client, sheet(rows))
        assert changed.context["preview"].counts() == {"new": 0, "update": 1, "unchanged": 1}
        confirm(client, changed)
    assert PensionBase.objects.get(person=b, effective_month=datetime.date(2026, 7, 1)).amount == D("5100.00")


@pytest.mark.django_db
def test_rows_with_errors_are_listed_and_nothing_is_imported(dues):
    a, b = dues.members
    stranger = dues.add_member("乙县老同志", branch=dues.branch_b)
    client = login(dues.secretary)
    with on(TODAY):
        response = upload(client, sheet([
            [a.name, a.id_number, 4800, "2026-07"],
            ["张冠李戴", b.id_number, 4800, "2026-07"],
            [stranger.name, stranger.id_number, 4800, "2026-07"],
            [a.name, a.id_number, -5, "2026-08"],
            [a.name, a.id_number, 4800, "明年"],
            [a.name, "110101195005121234", 4800, "2026-07"],
            [a.name, a.id_number, 4900, "2026-07"],
        ]))
    preview = response.context["preview"]
    numbers = [number for number, _name, _message in preview.errors]
    assert numbers == [5, 6, 7, 8, 9, 10]
    messages = " ".join(message for *_rest, message in preview.errors)
    assert "does not agree" in messages and "negative" in messages and "twice" in messages
    assert "No person with this ID number" in messages
    assert not preview.importable
    assert b'data-testid="import-confirm"' not in response.content
    assert b'data-testid="import-blocked"' in response.content
    assert b"\xe4\xb9\x99\xe5\x8e\xbf\xe6\x95\x99\xe8\x82\xb2\xe5\xb1\x80" not in response.content  # 乙县教育局
    assert not PensionBase.objects.filter(effective_month=datetime.date(2026, 7, 1)).exists()


@pytest.mark.django_db
def test_a_macro_workbook_or_a_sheet_without_the_columns_is_refused(dues):
    client = login(dues.secretary)
    response = upload(client, SimpleUploadedFile("bases.xlsm", b"PK\x03\x04whatever"))
    assert "macros" in response.context["refused"]
    response = upload(client, sheet([["x", "y"]], headers=("姓名", "身份证号")))
    assert "No header row" in response.context["refused"]


@pytest.mark.django_db
def test_a_confirm_without_its_preview_is_refused(dues):
    client = login(dues.secretary)
    response = client.post(URL, {"action": "confirm", "token": "forged"}, follow=True)
    assert "expired" in response.content.decode()
    assert not PensionBase.objects.filter(source=BaseSource.IMPORTED).exists()


@pytest.mark.django_db
def test_the_template_has_the_four_columns(dues):
    response = login(dues.secretary).get(reverse("dues:base_import_template"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == ["姓名", "身份证号", "基本离退休费", "起始月份"]
