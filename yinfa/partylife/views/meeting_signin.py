"""QR sign-in: the code on the meeting page (and a printable sheet), and the member's own sign-in page.

The code encodes an absolute URL with a signed token (``services.meetings.signin_token``) that names the meeting
and its day and expires at the end of the day after. The sign-in page is for logged-in accounts only (the login
page brings the member back); it acts only on the member's own attendance row (``request.user.person``) and
shows nothing of a meeting whose roster they are not on.
"""

import datetime

import segno
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import own_account, scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.services import meetings as services
from yinfa.partylife.views.meetings import decorate, get_meeting


def signin_qr(request, meeting):
    """The sign-in code of a meeting: {"svg", "url", "expires", "open"}; the SVG only while it still works."""
    token = services.signin_token(meeting)
    url = request.build_absolute_uri(reverse("partylife:meeting_signin", args=[token]))
    expires = services.signin_expires(meeting.held_on)
    still_open = timezone.now() < expires
    svg = ""
    if still_open:
        code = segno.make(url, error="m")
        svg = mark_safe(code.svg_inline(scale=1, border=4, light="#fff", omitsize=True, svgclass="yf-qr",
                                        title=_("Sign-in code")))
    # Shown as the last minute it works (23:59 of the day after the meeting), not as the next midnight.
    last_minute = timezone.localtime(expires) - datetime.timedelta(minutes=1)
    return {"svg": svg, "url": url, "expires": last_minute, "open": still_open}


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_MANAGE)
def meeting_signin_sheet(request, pk):
    """A printable page with the meeting's sign-in code in large, to put up at the meeting."""
    meeting = decorate(get_meeting(request, pk))
    return render(request, "partylife/meetings/signin_sheet.html", {"meeting": meeting,
                                                                    "qr": signin_qr(request, meeting)})


def _person_of(user):
    try:
        return user.person
    except ObjectDoesNotExist:  # the account is nobody's own account
        return None


@module("partylife")
@require_http_methods(["GET", "POST"])
@own_account
def meeting_signin(request, token):
    """GET: the meeting and a large "sign in" button; POST: marks the member present (idempotent)."""
    try:
        meeting = services.meeting_of_token(token)
        person = _person_of(request.user)
        row = services.attendance_of(meeting, person)
    except services.SignInRefused as refused:
        response = render(request, "partylife/meetings/signin.html", {"refused": refused.message},
                          status=refused.status)
        response["Cache-Control"] = "no-store"
        return response
    done = row.signed_in_at is not None and row.status == "present"
    if request.method == "POST":
        try:
            row, fresh = services.sign_in(actor=request.user, person=person, meeting=meeting)
        except services.SignInRefused as refused:
            return render(request, "partylife/meetings/signin.html", {"refused": refused.message},
                          status=refused.status)
        done = True
        if fresh:
            messages.success(request, _("You are signed in. Welcome!"))
        else:
            messages.info(request, _("You had already signed in."))
    response = render(request, "partylife/meetings/signin.html", {
        "meeting": meeting, "person": person, "row": row, "done": done,
    })
    response["Cache-Control"] = "no-store"
    return response
