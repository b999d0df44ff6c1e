"""What an uploaded file is, read from its bytes — never from its name or the browser's word.

``sniff(upload)`` answers a content type among ``FILE_TYPES`` (PDF, images, Word and Excel, old and new), or None.
The old binary Office formats share one container (OLE2): only there does the file's extension decide between a
.doc and an .xls. Used by the person file's documents, meeting files and assessment evidence.
"""

import io
import uuid
import zipfile

PDF = "application/pdf"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# content type -> extension of the stored file
FILE_TYPES = {PDF: "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              DOC: "doc", XLS: "xls", DOCX: "docx", XLSX: "xlsx"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_head(head: bytes):
    """PDF or an image type from a file's first 16 bytes, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _zip_kind(upload):
    """DOCX or XLSX from the parts inside an Office Open XML package, else None."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def sniff(upload):
    """The content type of an uploaded file from its bytes, or None when it is not one of ``FILE_TYPES``."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    known = sniff_head(head)
    if known:
        return known
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(OLE2_MAGIC):
        name = (upload.name or "").lower()
        return DOC if name.endswith(".doc") else XLS if name.endswith(".xls") else None
    return None


def stored_name(folder: str, filename: str) -> str:
    """Where an upload is stored: ``folder`` and a random name with the original extension only (the name the user
    gave may hold personal data)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"
