"""Dangerous files are refused before any parser sees them."""

import zipfile

import openpyxl
import pytest

from yinfa.people.imports import safety
from yinfa.people.imports.safety import UnsafeFile, check_file


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English wording of messages (the pages show the zh_Hans translation)."""
    from django.utils import translation

    with translation.override("en"):
        yield



def _workbook(path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号"])
    book.save(path)
    return path


def _rewrite_zip(source, target, replace=None, add=None):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if replace and item.filename in replace:
                data = replace[item.filename](data)
            new.writestr(item, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def test_a_plain_workbook_passes(tmp_path):
    checked = check_file(_workbook(tmp_path / "r.xlsx"), "r.xlsx")
    assert checked.kind == safety.XLSX


def test_a_workbook_renamed_to_xls_is_recognised_by_its_content(tmp_path):
    path = _workbook(tmp_path / "r.xlsx").rename(tmp_path / "r.xls")
    assert check_file(path, "r.xls").kind == safety.XLSX


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = _workbook(tmp_path / "r.xlsx")
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(UnsafeFile, match="larger than"):
        check_file(path, "r.xlsx")


@pytest.mark.parametrize("name", ["roster.xlsm", "roster.xlsb", "roster.XLSM"])
def test_macro_workbook_extensions_are_refused(tmp_path, name):
    path = _workbook(tmp_path / "r.xlsx").rename(tmp_path / name)
    with pytest.raises(UnsafeFile, match="macros"):
        check_file(path, name)


def test_an_xlsx_carrying_a_vba_project_is_refused(tmp_path):
    path = _rewrite_zip(_workbook(tmp_path / "a.xlsx"), tmp_path / "r.xlsx", add={"xl/vbaProject.bin": b"\0" * 64})
    with pytest.raises(UnsafeFile, match="macros"):
        check_file(path, "r.xlsx")


def test_a_macro_enabled_content_type_is_refused(tmp_path):
    def macro_type(data):
        return data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")

    path = _rewrite_zip(_workbook(tmp_path / "a.xlsx"), tmp_path / "r.xlsx",
                        replace={"[Content_Types].xml": macro_type})
    with pytest.raises(UnsafeFile, match="macro"):
        check_file(path, "r.xlsx")


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = _rewrite_zip(_workbook(tmp_path / "a.xlsx"), tmp_path / "r.xlsx",
                        add={"xl/media/padding.xml": b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>"})
    with pytest.raises(UnsafeFile, match="zip bomb"):
        check_file(path, "r.xlsx")


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path, monkeypatch):
    path = _rewrite_zip(_workbook(tmp_path / "a.xlsx"), tmp_path / "r.xlsx",
                        add={"xl/big.xml": b"<a>" + b"x" * 200_000 + b"</a>"})
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 100_000)
    with pytest.raises(UnsafeFile, match="zip bomb"):
        check_file(path, "r.xlsx")


def test_an_xml_entity_bomb_is_refused(tmp_path):
    def with_entities(data):
        return b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + data

    path = _rewrite_zip(_workbook(tmp_path / "a.xlsx"), tmp_path / "r.xlsx",
                        replace={"xl/worksheets/sheet1.xml": with_entities})
    with pytest.raises(UnsafeFile, match="ENTITY"):
        check_file(path, "r.xlsx")


def test_an_old_xls_with_a_vba_storage_is_refused(tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(safety.OLE_MAGIC + b"\0" * 100 + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\0" * 100)
    with pytest.raises(UnsafeFile, match="macros"):
        check_file(path, "r.xls")


def test_other_file_types_and_fake_content_are_refused(tmp_path):
    text = tmp_path / "r.xlsx"
    text.write_text("姓名,身份证号\n")
    with pytest.raises(UnsafeFile, match="not a spreadsheet"):
        check_file(text, "r.xlsx")
    exe = tmp_path / "r.exe"
    exe.write_bytes(b"MZ" + b"\0" * 10)
    with pytest.raises(UnsafeFile, match="Only"):
        check_file(exe, "r.exe")


@pytest.mark.parametrize(("encoding", "expected"), [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"),
                                                   ("gb18030", "gb18030")])
def test_csv_files_in_utf8_or_gbk_are_accepted(tmp_path, encoding, expected):
    path = tmp_path / "r.csv"
    path.write_bytes("姓名,身份证号\n张建国,110101195005121234\n".encode(encoding))
    assert check_file(path, "r.csv").encoding == expected
