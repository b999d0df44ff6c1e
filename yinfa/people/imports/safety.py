"""Refusing dangerous or unreadable files before any parser sees them.

Checked, in this order: the size, the extension, the first bytes (so a renamed file is recognised by what it
is), macros (.xlsm/.xlsb, a vbaProject.bin part, a macro-enabled content type, or a VBA storage in an old
.xls), zip bombs (the sum of the sizes the zip directory declares, each member's compression ratio, and the
bytes actually decompressed, which a forged directory cannot hide) and XML entity bombs (any ``<!DOCTYPE`` or
``<!ENTITY`` in an XML part; spreadsheet XML never needs one). CSV files must decode as UTF-8 (with or
without BOM) or GB18030 (what Excel and WPS save on Chinese Windows).
"""

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members compress oddly; the ratio matters for big ones
MAX_ZIP_MEMBERS = 2000

XLSX = "xlsx"
XLS = "xls"
ODS = "ods"
CSV = "csv"
ACCEPTED_EXTENSIONS = {".xlsx": XLSX, ".xls": XLS, ".ods": ODS, ".csv": CSV}
MACRO_EXTENSIONS = {".xlsm", ".xlsb", ".xltm", ".xlam", ".xla", ".xlm"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The storage of a VBA project in a compound file's directory (names are UTF-16).
VBA_STORAGE_NAMES = ("_VBA_PROJECT".encode("utf-16-le"),)
DANGEROUS_XML = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_CHUNK = 1024 * 1024


class UnsafeFile(ValueError):
    """The file is refused; ``reason`` says why, for the person who uploaded it."""

    def __init__(self, reason):
        self.reason = str(reason)
        super().__init__(self.reason)


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    kind: str  # XLSX, XLS, ODS or CSV: what the content is, whatever the extension said
    encoding: str = ""  # CSV only


def extension_of(name: str) -> str:
    return Path(name or "").suffix.lower()


def check_name(original_name: str) -> str:
    """The kind the file name announces, or UnsafeFile (macro workbooks, unknown types)."""
    extension = extension_of(original_name)
    if extension in MACRO_EXTENSIONS:
        raise UnsafeFile(_("Workbooks with macros (%(ext)s) are refused. Save the roster as .xlsx and upload "
                           "it again.") % {"ext": extension})
    if extension not in ACCEPTED_EXTENSIONS:
        raise UnsafeFile(_("Only .xlsx, .xls and .csv files can be imported (this one is “%(ext)s”).") % {
            "ext": extension or _("without extension")})
    return ACCEPTED_EXTENSIONS[extension]


def check_size(size: int):
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(_("The file is larger than %(limit)s MB. Split the roster into smaller files.") % {
            "limit": MAX_FILE_BYTES // (1024 * 1024)})
    if size == 0:
        raise UnsafeFile(_("The file is empty."))


def check_file(path, original_name: str) -> CheckedFile:
    """Check a stored upload; returns what it is, or raises UnsafeFile. Nothing is parsed yet."""
    path = Path(path)
    announced = check_name(original_name)
    check_size(path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(ZIP_MAGIC):
        kind = ODS if announced == ODS else XLSX
        _check_zip(path, kind)
        return CheckedFile(path, kind)
    if head.startswith(OLE_MAGIC):
        _check_ole(path)
        return CheckedFile(path, XLS)
    if announced == CSV:
        return CheckedFile(path, CSV, encoding=_csv_encoding(path))
    raise UnsafeFile(_("The file's content is not a spreadsheet of the kind its name says (%(name)s). Open it "
                       "in Excel or WPS and save it as .xlsx.") % {"name": Path(original_name).name})


def _check_zip(path: Path, kind: str):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UnsafeFile(_("The workbook is damaged (not a readable zip archive).")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UnsafeFile(_("The workbook has too many parts to be a roster."))
        names = {member.filename.lower() for member in members}
        if any(name.endswith("vbaproject.bin") for name in names):
            raise UnsafeFile(_("The workbook contains macros (VBA). Save it as a plain .xlsx workbook without "
                               "macros and upload it again."))
        if kind == XLSX and "[content_types].xml" not in names:
            raise UnsafeFile(_("The file is a zip archive but not an Excel workbook."))
        declared = sum(member.file_size for member in members)
        if declared > MAX_UNCOMPRESSED_BYTES:
            raise UnsafeFile(_("The workbook unpacks to more than %(limit)s MB; it looks like a zip bomb.") % {
                "limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)})
        for member in members:
            if member.file_size >= RATIO_CHECK_FROM_BYTES and \
                    member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
                raise UnsafeFile(_("A part of the workbook is compressed more than %(ratio)s times; it looks like "
                                   "a zip bomb.") % {"ratio": MAX_COMPRESSION_RATIO})
        _scan_members(archive, members)


def _scan_members(archive, members):
    """Decompress every XML part in chunks: count the real bytes, look for DOCTYPE/ENTITY, look for macros."""
    total = 0
    overlap = max(len(marker) for marker in DANGEROUS_XML)
    for member in members:
        name = member.filename.lower()
        is_xml = name.endswith((".xml", ".rels", ".vml"))
        tail = b""
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * MAX_FILE_BYTES:
                        raise UnsafeFile(_("The workbook unpacks to more than %(limit)s MB; it looks like a zip "
                                           "bomb.") % {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)})
                    if is_xml:
                        window = tail + chunk
                        if any(marker in window for marker in DANGEROUS_XML):
                            raise UnsafeFile(_("The workbook contains XML entity declarations (<!DOCTYPE> or "
                                               "<!ENTITY>), which spreadsheets never need; it is refused."))
                        if name == "[content_types].xml" and b"macroenabled" in window.lower():
                            raise UnsafeFile(_("The workbook is macro-enabled. Save it as a plain .xlsx "
                                               "workbook and upload it again."))
                        tail = window[-overlap:]
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise UnsafeFile(_("The workbook is damaged or encrypted and cannot be read.")) from None


def _check_ole(path: Path):
    """An old .xls (OLE2 compound file): refuse one carrying a VBA project storage."""
    with path.open("rb") as handle:
        content = handle.read()
    if any(marker in content for marker in VBA_STORAGE_NAMES):
        raise UnsafeFile(_("The workbook contains macros (VBA). Save it as a plain .xlsx workbook without macros "
                           "and upload it again."))
    if "EncryptionInfo".encode("utf-16-le") in content:
        raise UnsafeFile(_("The workbook is protected by a password. Remove the password and upload it again."))


def _csv_encoding(path: Path) -> str:
    content = path.read_bytes()
    if b"\x00" in content[:8192]:
        raise UnsafeFile(_("The file is not a text CSV file. Open it in Excel or WPS and save it as .xlsx or "
                           ".csv."))
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnsafeFile(_("The CSV file's characters cannot be read (neither UTF-8 nor GBK/GB18030)."))
