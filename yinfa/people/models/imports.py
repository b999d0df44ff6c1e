"""Roster imports (花名册导入): an uploaded file, its validation preview, and the import run."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportBatch(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    scope_path = models.CharField(max_length=255, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_file = models.CharField(max_length=300)  # relative to MEDIA_ROOT, under imports/
    file_size = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    summary = models.JSONField(default=dict, blank=True)  # counts: rows, valid, invalid, skipped, new, update…
    errors = models.JSONField(default=list, blank=True)  # first errors: [{row, column, reason}]
    errors_file = models.CharField(max_length=300, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name
