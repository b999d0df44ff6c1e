"""Photos and documents of a meeting: images, PDF and Word/Excel files up to 10 MB, recognised from their content
(never from the browser's word), stored under a random name and served only through a scoped view."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit, uploads
from yinfa.core.models import AuditAction
from yinfa.partylife.models import MeetingFile
from yinfa.partylife.services.meetings import require_in_scope, require_manage

MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = uploads.FILE_TYPES
ACCEPT = ",".join([*FILE_TYPES, *(f".{ext}" for ext in FILE_TYPES.values())])
sniff = uploads.sniff


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
