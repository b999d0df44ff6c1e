"""Meeting routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A branch with the matrix's
county-A person as a member, one meeting of it with a photo, asked for by county B."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def _admin_scope(o):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=o.world.county_a_admin))


def meeting(o):
    """A county-A meeting (made once per matrix) of a branch holding ``o.person``."""
    existing = getattr(o, "party_meeting", None)
    if existing is None:
        from yinfa.partylife.models import MeetingKind
        from yinfa.partylife.services.meetings import create_meeting
        from yinfa.partylife.tests.factories import make_branch, make_membership

        branch = make_branch(o.world.unit_a, name="甲县财政局离退休干部党支部")
        if o.person is not None:
            make_membership(o.person, branch, started_on=datetime.date(2020, 1, 1))
        existing = create_meeting(actor=o.world.county_a_admin, scope=_admin_scope(o), branch=branch, values={
            "kind": MeetingKind.GENERAL, "held_on": datetime.date.today() - datetime.timedelta(days=1),
            "topic": "甲县财政局党员大会", "place": "东门社区活动室", "minutes": "甲县老同志发言"})
        o.party_meeting = existing
    return existing


def meeting_file(o):
    existing = getattr(o, "party_meeting_file", None)
    if existing is None:
        from yinfa.partylife.services.meeting_files import add_file

        existing = add_file(actor=o.world.county_a_admin, scope=_admin_scope(o), meeting=meeting(o),
                            title="甲县财政局合影", upload=SimpleUploadedFile("photo.png", PNG))
        o.party_meeting_file = existing
    return existing


def _meeting_kwargs(o):
    return {"pk": meeting(o).pk}


def _file_kwargs(o):
    return {"pk": meeting_file(o).pk}


def _token_kwargs(o):
    from yinfa.partylife.services.meetings import signin_token

    return {"token": signin_token(meeting(o))}


ROUTES = {
    "partylife:meeting_detail": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_edit": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_copy": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_delete": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_attendance": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_roster_refresh": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_signin_sheet": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_file_add": (_meeting_kwargs, "admin_b"),
    "partylife:meeting_file": (_file_kwargs, "admin_b"),
    "partylife:meeting_file_delete": (_file_kwargs, "admin_b"),
    # A county-B account is nobody on the roster: "not on this meeting's roster" (404), nothing of the meeting shown.
    "partylife:meeting_signin": (_token_kwargs, "admin_b"),
}

API_ROUTES = {"party-meeting": meeting}
