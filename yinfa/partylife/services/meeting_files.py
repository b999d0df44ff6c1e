"""Photos and documents of a meeting: images, PDF and Word/Excel files up to 10 MB, recognised from their content
(never from the browser's word), stored under a random name and served only through a scoped view."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.partylife.models import MeetingFile
from yinfa.partylife.services.meetings import require_in_scope, require_manage

MAX_FILE_BYTES = 10 * 1024 * 1024
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# content type -> extension of the stored file
FILE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
              "image/webp": "webp", DOC: "doc", XLS: "xls", DOCX: "docx", XLSX: "xlsx"}
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPT = ",".join([*FILE_TYPES, *(f".{ext}" for ext in FILE_TYPES.values())])


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
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def sniff(upload):
    """The content type of an uploaded file from its bytes, or None when it is not an allowed type. The old
    binary Office formats share one container: the file's extension tells a .doc from an .xls."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(OLE2_MAGIC):
        name = (upload.name or "").lower()
        return DOC if name.endswith(".doc") else XLS if name.endswith(".xls") else None
    return None


def check_upload(upload):
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB. Use a smaller photo or scan.")})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff(upload)
    if content_type is None:
        raise ValidationError({"file": _("Only images, PDF and Word or Excel files (doc, docx, xls, xlsx) can be "
                                         "kept with a meeting.")})
    return content_type


@transaction.atomic
def add_file(*, actor, scope, meeting, title, upload):
    """Keep a photo or document with the meeting. Images are kept as photos. Returns the ``MeetingFile``."""
    require_manage(scope)
    require_in_scope(scope, meeting.branch_path)
    content_type = check_upload(upload)
    is_photo = content_type.startswith("image/")
    title = (title or "").strip() or (_("Photo") if is_photo else _("Document"))
    upload.name = f"upload.{FILE_TYPES[content_type]}"  # the stored name never keeps the original one
    row = MeetingFile(meeting=meeting, title=title[:200], is_photo=is_photo, content_type=content_type,
                      size=upload.size, uploaded_by=actor)
    row.file.save(upload.name, upload, save=False)
    stored = row.file.name
    try:
        row.save()
    except Exception:
        row.file.storage.delete(stored)  # no row, no file
        raise
    audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                 changes={"file": [None, row.title]},
                 detail={"file_id": row.pk, "content_type": content_type, "size": row.size})
    return row


@transaction.atomic
def delete_file(*, actor, scope, meeting_file):
    require_manage(scope)
    meeting = meeting_file.meeting
    require_in_scope(scope, meeting.branch_path)
    storage, stored, title, file_id = meeting_file.file.storage, meeting_file.file.name, meeting_file.title, \
        meeting_file.pk
    meeting_file.delete()
    audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                 changes={"file": [title, None]}, detail={"file_id": file_id, "removed": title})
    transaction.on_commit(lambda: storage.delete(stored))
