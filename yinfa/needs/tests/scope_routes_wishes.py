"""Micro-wish routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): two wishes of the matrix's
county-A person — one on the wall of their community, one fulfilled with its photo and claim — asked for by county B.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _scope(user):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first())


def _collect(o, title):
    from yinfa.needs.services import wishes

    staff = o.world.community_a_admin
    wish = wishes.collect_wish(actor=staff, scope=_scope(staff), person=o.person, title=title,
                               reason="甲县老同志的心愿", estimated_cost="150")
    return wishes.publish_wish(actor=staff, scope=_scope(staff), wish=wish)


def wish_open(o):
    """A county-A wish on the wish wall of 东门社区 (made once per matrix)."""
    existing = getattr(o, "wish_open", None)
    if existing is None:
        existing = o.wish_open = _collect(o, "甲县老同志的轮椅")
    return existing


def wish_claim(o):
    """The claim of a county-A wish fulfilled with a photo (made once per matrix)."""
    existing = getattr(o, "wish_done_claim", None)
    if existing is None:
        from yinfa.core.permissions import Role
        from yinfa.core.testing import make_user
        from yinfa.needs.services import wish_claims

        volunteer = make_user("wish_matrix_vol", role=Role.VOLUNTEER, node=o.world.community_a,
                              full_name="东门社区志愿者")
        wish = _collect(o, "甲县老同志的老花镜")
        existing = wish_claims.claim_wish(actor=volunteer, scope=_scope(volunteer), wish=wish)
        wish_claims.fulfil_wish(actor=volunteer, scope=_scope(volunteer), wish=wish, note="东门社区志愿者送到",
                                photo=SimpleUploadedFile("done.png", PNG, content_type="image/png"))
        o.wish_done_claim = existing
    return existing


def wish_photo(o):
    from yinfa.needs.models import WishPhoto

    return WishPhoto.objects.get(claim=wish_claim(o))


def _pk(build):
    return lambda o: {"pk": build(o).pk}


ROUTES = {
    "needs:wish_detail": (_pk(wish_open), "admin_b"),
    "needs:wish_publish": (_pk(wish_open), "admin_b"),
    "needs:wish_reject": (_pk(wish_open), "admin_b"),
    "needs:wish_withdraw": (_pk(wish_open), "admin_b"),
    "needs:wish_claim": (_pk(wish_open), "admin_b"),
    "needs:wish_release": (lambda o: {"pk": wish_claim(o).wish_id}, "admin_b"),
    "needs:wish_fulfil": (lambda o: {"pk": wish_claim(o).wish_id}, "admin_b"),
    "needs:wish_confirm": (lambda o: {"pk": wish_claim(o).wish_id}, "admin_b"),
    "needs:wish_photo": (_pk(wish_photo), "admin_b"),
}

API_ROUTES = {
    "wish": wish_open,
    "wish-claim": wish_claim,
}
