"""Visit and hospital routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a visit with a photo to the
matrix's county-A person, linked to a hospital stay of that person, asked for by county B."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _admin_scope(o):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=o.world.county_a_admin))


def hospital_stay(o):
    """A county-A hospital stay (made once per matrix) of ``o.person``, still open."""
    existing = getattr(o, "care_stay", None)
    if existing is None:
        from yinfa.care.services.hospital import admit

        person = o.person
        person.refresh_from_db()
        existing = admit(actor=o.world.county_a_admin, scope=_admin_scope(o), person=person,
                         version=person.version, values={
                             "place": "甲县人民医院", "department": "心内科", "diagnosis": "甲县老同志冠心病",
                             "starts_on": datetime.date.today() - datetime.timedelta(days=3)})
        o.care_stay = existing
    return existing


def visit(o):
    """A county-A hospital visit with a photo (made once per matrix)."""
    existing = getattr(o, "care_visit", None)
    if existing is None:
        from yinfa.care.models import VisitKind
        from yinfa.care.services.visits import create_visit

        existing = create_visit(actor=o.world.county_a_admin, scope=_admin_scope(o), person=o.person, values={
            "kind": VisitKind.HOSPITAL, "visited_on": datetime.date.today(), "visitors": "甲县财政局 王科长",
            "gift": "花篮", "feedback": "甲县老同志说感谢", "needs": "东门社区送餐", "hospital_stay": hospital_stay(o),
            "organisation": o.world.unit_a}, photos=[SimpleUploadedFile("photo.png", PNG)])
        o.care_visit = existing
    return existing


def _visit_kwargs(o):
    return {"pk": visit(o).pk}


def _photo_kwargs(o):
    return {"pk": visit(o).photos.get().pk}


def _stay_kwargs(o):
    return {"pk": hospital_stay(o).pk}


ROUTES = {
    "care:visit_detail": (_visit_kwargs, "admin_b"),
    "care:visit_edit": (_visit_kwargs, "admin_b"),
    "care:visit_delete": (_visit_kwargs, "admin_b"),
    "care:visit_photo": (_photo_kwargs, "admin_b"),
    "care:visit_photo_delete": (_photo_kwargs, "admin_b"),
    "care:hospital_discharge": (_stay_kwargs, "admin_b"),
}

API_ROUTES = {"visit": visit, "hospital-stay": hospital_stay}
