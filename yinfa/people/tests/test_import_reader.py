"""Reading messy rosters: title rows, header synonyms, totals, signatures, CSV encodings, old .xls files."""

import datetime
from pathlib import Path

import openpyxl
import pytest

from yinfa.people.imports.reader import RosterError, SkippedRow, SourceRow, read_roster
from yinfa.people.imports.safety import check_file


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English wording of messages (the pages show the zh_Hans translation)."""
    from django.utils import translation

    with translation.override("en"):
        yield


FIXTURES = Path(__file__).parent / "fixtures"


def roster_of(path, name=None):
    return read_roster(check_file(path, name or Path(path).name))


def messy_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B2"] = "甲县财政局离退休干部花名册"
    sheet.merge_cells("B2:H2")
    sheet["B3"] = "填报单位：甲县财政局（盖章）"
    sheet["G3"] = "制表日期：2026年1月"
    sheet.append([])
    sheet.append([None, "序号", "名字", "公民身份号码", "性别", "出生年月", "离休退休", "手机号码", "备注"])
    sheet.append([None, 1, "张建国", "110101195005121234", "男", "1950.05", "退休", "13800138000", ""])
    sheet.append([])
    sheet.append([None, 2, "李秀英", "110101195201021224", "女", "1952-01-02", "退休", "", "独居"])
    sheet.append([None, "序号", "名字", "公民身份号码", "性别", "出生年月", "离休退休", "手机号码", "备注"])
    sheet.append([None, 3, "王五", "110101195301021234", "男", "1953.01", "退休", "", ""])
    sheet.append([None, "合 计", "3人"])
    sheet.append([])
    sheet.append([None, "填表人：张三", None, None, "审核人：李四", None, "联系电话：12345"])
    sheet.append([None, "注：本表一式两份"])
    book.save(path)
    return path


def test_the_header_below_merged_title_rows_is_found_and_synonyms_are_mapped(tmp_path):
    roster = roster_of(messy_workbook(tmp_path / "r.xlsx"))
    assert roster.header_number == 5
    assert roster.field_headers == {"name": "名字", "id_number": "公民身份号码", "gender": "性别",
                                    "birth_date": "出生年月", "category": "离休退休", "phone": "手机号码"}
    assert roster.ignored_headers == ["序号", "备注"]


def test_data_rows_carry_the_row_numbers_excel_shows_and_the_rest_is_skipped_not_an_error(tmp_path):
    items = list(roster_of(messy_workbook(tmp_path / "r.xlsx")).rows())
    data = [(i.number, i.cells["name"]) for i in items if isinstance(i, SourceRow)]
    skipped = {i.number: i.reason for i in items if isinstance(i, SkippedRow)}
    assert data == [(6, "张建国"), (8, "李秀英"), (10, "王五")]
    assert skipped == {7: "blank row", 9: "repeated header row", 11: "total row", 12: "blank row",
                       13: "signature line", 14: "note below the table"}


def test_a_file_without_name_or_id_columns_is_refused_as_a_whole(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别", "民族"])
    book.active.append(["张建国", "男", "汉族"])
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(RosterError, match="身份证号"):
        roster_of(tmp_path / "r.xlsx")


def test_a_sheet_without_any_header_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["今天", "天气"])
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(RosterError, match="header row"):
        roster_of(tmp_path / "r.xlsx")


def test_the_first_visible_sheet_with_a_header_is_read(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["请按模板填写"])
    hidden = book.create_sheet("旧表")
    hidden.append(["姓名", "身份证号"])
    hidden.append(["旧人", "110101195005121234"])
    hidden.sheet_state = "hidden"
    data = book.create_sheet("花名册")
    data.append(["姓名", "身份证号"])
    data.append(["张建国", "110101195005121234"])
    book.save(tmp_path / "r.xlsx")
    roster = roster_of(tmp_path / "r.xlsx")
    assert roster.sheet_name == "花名册"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_rosters_in_utf8_and_gbk_are_read(tmp_path, encoding):
    path = tmp_path / "r.csv"
    path.write_bytes("单位：甲县\n姓名,身份证号码,出生日期\n张建国,110101195005121234,1950-05-12\n合计,1人,\n"
                     .encode(encoding))
    items = list(roster_of(path).rows())
    assert isinstance(items[0], SourceRow)
    assert items[0].number == 3
    assert items[0].cells == {"name": "张建国", "id_number": "110101195005121234", "birth_date": "1950-05-12"}
    assert isinstance(items[1], SkippedRow)


def test_an_old_excel_97_xls_file_is_read():
    roster = roster_of(FIXTURES / "roster_old_excel.xls")
    items = list(roster.rows())
    data = [i for i in items if isinstance(i, SourceRow)]
    assert [(i.number, i.cells["name"], i.cells["id_number"]) for i in data] == [
        (3, "赵建华", "379921194802030115"), (4, "钱玉兰", "379921195106090223")]
    assert data[0].cells["birth_date"] == datetime.date(1948, 2, 3)
    assert [i.reason for i in items if isinstance(i, SkippedRow)] == ["total row", "blank row", "signature line"]


def test_too_many_rows_are_refused(tmp_path, monkeypatch):
    from yinfa.people.imports import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    with pytest.raises(RosterError, match="more than"):
        list(roster_of(messy_workbook(tmp_path / "r.xlsx")).rows())
