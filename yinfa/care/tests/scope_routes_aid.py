"""Hardship-aid routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): an application of the matrix's
county-A person with an attachment, asked for by county B's administrator."""

import datetime
from decimal import Decimal


def application(o):
    """A county-A application (made once per matrix)."""
    existing = getattr(o, "aid_application", None)
    if existing is None:
        from yinfa.care.models import AidApplication, AidKind, AidStep

        existing = AidApplication.objects.create(person=o.person, kind=AidKind.MEDICAL, reason="甲县老同志住院",
                                                 amount_requested=Decimal("3000.00"),
                                                 applied_on=datetime.date(2026, 1, 5),
                                                 created_by=o.world.community_a_admin)
        AidStep.objects.create(application=existing, to_status=existing.status, actor=o.world.community_a_admin,
                               comment="甲县财政局")
        o.aid_application = existing
    return existing


def attachment(o):
    existing = getattr(o, "aid_attachment", None)
    if existing is None:
        from yinfa.care.models import AidAttachment

        app = application(o)
        existing = AidAttachment(application=app, title="甲县老同志住院发票", content_type="application/pdf", size=9)
        existing.file.name = f"aid/{app.uid}/bill.pdf"
        existing.save()
        o.aid_attachment = existing
    return existing


ROUTES = {
    "care:aid_detail": (lambda o: {"pk": application(o).pk}, "admin_b"),
    "care:aid_attachment_add": (lambda o: {"pk": application(o).pk}, "admin_b"),
    "care:aid_attachment": (lambda o: {"pk": attachment(o).pk}, "admin_b"),
}
# API detail routes by basename (for the matrix's API table): detail and the step actions.
API_ROUTES = {"aid-application": application}
