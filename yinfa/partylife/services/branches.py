"""Branches: their warnings, editing a branch's profile, electing a committee term and changing a post mid-term.

Public API:

``warnings_for(branch, today) -> [(code, message)]``
    What a branch should act on (the same conditions as ``Branch.objects.with_warnings(today)``, for open
    branches; see ``with_warnings``). Reads only the cached figures of the ``Branch`` row (no query).

``with_warnings(queryset, today)``: the queryset filter that matches ``warnings_for``.

``update_branch(*, actor, scope, branch, values) -> Branch``
    Kind, liaison (name, post, phone) and note. PARTY_MANAGE, the branch inside the scope.

``elect_committee(*, actor, scope, branch, elected_on, posts, ends_on=None, note="") -> (term, notes)``
    A new committee term: the open term is closed (its posts end on ``elected_on``), ``posts`` ({post: person})
    are filled from the branch's current full members; a secretary is required. ``notes`` are advice (not
    refusals): a committee of 3–5 from 7 full members, a secretary only below.

``change_post(*, actor, scope, branch, post, person, on_date) -> CommitteeMember | None``
    Mid-term: the post's holder steps down on ``on_date`` and ``person`` (None: the post stays vacant; never
    for the secretary) takes it from that day.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.masking import mask_phone
from yinfa.core.models import AuditAction
from yinfa.partylife.models import (
    COMMITTEE_FROM,
    MAX_MEMBERS,
    MIN_FULL_MEMBERS,
    TERM_WARNING_DAYS,
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
    Membership,
    Standing,
)
from yinfa.partylife.services import counts

BRANCH_FIELDS = ("kind", "liaison_name", "liaison_position", "liaison_phone", "note")
# Committee size advised from COMMITTEE_FROM full members (中国共产党支部工作条例（试行）).
COMMITTEE_MIN, COMMITTEE_MAX = 3, 5
# Post order on pages and in forms.
POST_ORDER = [CommitteePost.SECRETARY, CommitteePost.DEPUTY_SECRETARY, CommitteePost.ORGANISATION,
              CommitteePost.PROPAGANDA, CommitteePost.DISCIPLINE]


class WarningCode:
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    NO_COMMITTEE = "no_committee"
    TERM_ENDING = "term_ending"
    TERM_OVER = "term_over"


def require_manage(scope, branch=None):
    """The role in use may manage party branches, and ``branch`` lies in its scope."""
    from yinfa.core.permissions import Perm

    if scope is None or not scope.has(Perm.PARTY_MANAGE):
        raise PermissionDenied
    if branch is not None and not scope.contains_path(branch.path):
        raise PermissionDenied


# --- warnings ---------------------------------------------------------------------------------------------------

def warnings_for(branch, today):
    """[(code, message)] for an open branch, from its cached figures; a closed branch has none."""
    if not branch.is_open_on(today):
        return []
    found = []
    full = branch.full_members
    if full < MIN_FULL_MEMBERS:
        found.append((WarningCode.TOO_FEW, _(
            "Fewer than %(min)s full members (%(full)s): consider forming a joint branch with a neighbouring "
            "branch.") % {"min": MIN_FULL_MEMBERS, "full": full}))
    if full > MAX_MEMBERS:
        found.append((WarningCode.TOO_MANY, _(
            "More than %(max)s members (%(full)s full members): consider dividing the branch.")
            % {"max": MAX_MEMBERS, "full": full}))
    if full >= COMMITTEE_FROM and not branch.has_committee:
        found.append((WarningCode.NO_COMMITTEE, _(
            "%(full)s full members but no committee: from %(from)s full members a committee of 3 to 5 is "
            "elected.") % {"full": full, "from": COMMITTEE_FROM}))
    ends = branch.term_ends_on
    if ends is not None and ends < today:
        found.append((WarningCode.TERM_OVER, _("The term ended on %(day)s: hold the election of the next "
                                               "term.") % {"day": ends.isoformat()}))
    elif ends is not None and ends <= today + datetime.timedelta(days=TERM_WARNING_DAYS):
        found.append((WarningCode.TERM_ENDING, _("The term ends on %(day)s (in %(days)s days): prepare the "
                                                 "election.") % {"day": ends.isoformat(),
                                                                 "days": (ends - today).days}))
    return found


def with_warnings(queryset, today):
    """Open branches of ``queryset`` with something to act on: exactly those with ``warnings_for(b, today)``."""
    return queryset.with_warnings(today).open_on(today)


# --- the branch profile -----------------------------------------------------------------------------------------

def _branch_audit(branch):
    values = audit.snapshot(branch, [name for name in BRANCH_FIELDS if name != "liaison_phone"])
    values["liaison_phone"] = mask_phone(branch.liaison_phone or "")
    return values


def clean_phone(value):
    text = (value or "").strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    digits = sum(ch.isdigit() for ch in text)
    if text and (not all(ch.isdigit() or ch in "-() +" for ch in text) or not 7 <= digits <= 16):
        raise ValidationError({"liaison_phone": _("Type a mobile number or a landline with its area code.")})
    return text


@transaction.atomic
def update_branch(*, actor, scope, branch, values):
    require_manage(scope, branch)
    unknown = set(values) - set(BRANCH_FIELDS)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    values = dict(values)
    if "kind" in values and values["kind"] not in BranchKind.values:
        raise ValidationError({"kind": _("Choose a branch kind.")})
    if "liaison_phone" in values:
        values["liaison_phone"] = clean_phone(values["liaison_phone"])
    raw_before = {name: getattr(branch, name) for name in values}
    before = _branch_audit(branch)
    for name, value in values.items():
        setattr(branch, name, value if value is not None else "")
    changed = [name for name in values if getattr(branch, name) != raw_before[name]]
    if not changed:
        return branch
    after = _branch_audit(branch)
    changes = {name: [before[name], after[name]] for name in changed}
    branch.save()
    audit.record(AuditAction.UPDATE, actor=actor, obj=branch, changes=changes, scope_path=branch.path)
    return branch


# --- committee --------------------------------------------------------------------------------------------------

def current_term(branch):
    return CommitteeTerm.objects.filter(branch=branch, ended_on__isnull=True).order_by("-elected_on", "-pk").first()


def full_member_ids(branch):
    """Ids of the people holding a full, open organisational membership in the branch."""
    rows = Membership.objects.organisational().open().filter(branch=branch, standing=Standing.FULL)
    return set(rows.values_list("person_id", flat=True))


def committee_notes(full_members, posts):
    """Advice (not refusals) on the committee's make-up for a branch of ``full_members`` full members."""
    notes = []
    size = len(posts)
    if full_members >= COMMITTEE_FROM and not COMMITTEE_MIN <= size <= COMMITTEE_MAX:
        notes.append(_("With %(full)s full members the branch elects a committee of %(min)s to %(max)s members; "
                       "this term has %(size)s.") % {"full": full_members, "min": COMMITTEE_MIN,
                                                       "max": COMMITTEE_MAX, "size": size})
    if full_members < COMMITTEE_FROM and size > 1:
        notes.append(_("With fewer than %(from)s full members a branch usually has a secretary only, not a "
                       "committee.") % {"from": COMMITTEE_FROM})
    return notes


def _check_posts(branch, posts):
    if not posts.get(CommitteePost.SECRETARY):
        raise ValidationError({"secretary": _("A term needs a secretary.")})
    unknown = set(posts) - set(CommitteePost.values)
    if unknown:
        raise ValueError(f"unknown posts {sorted(unknown)}")
    people = [person for person in posts.values() if person is not None]
    if len({person.pk for person in people}) != len(people):
        raise ValidationError(_("One person holds one post; choose different people."))
    allowed = full_member_ids(branch)
    outside = [person.name for person in people if person.pk not in allowed]
    if outside:
        raise ValidationError(_("Only full members of this branch can be elected: %(names)s.")
                              % {"names": "、".join(outside)})


def _term_audit(term, posts):
    return {"elected_on": term.elected_on.isoformat(), "ends_on": term.ends_on.isoformat(),
            "posts": {post: person.name for post, person in posts.items()}}


@transaction.atomic
def elect_committee(*, actor, scope, branch, elected_on, posts, ends_on=None, note=""):
    require_manage(scope, branch)
    posts = {post: person for post, person in posts.items() if person is not None}
    today = timezone.localdate()
    if elected_on > today:
        raise ValidationError({"elected_on": _("The election date cannot be in the future.")})
    ends_on = ends_on or CommitteeTerm.default_end(elected_on, branch.term_years())
    if ends_on <= elected_on:
        raise ValidationError({"ends_on": _("The term must end after the election date.")})
    previous = current_term(branch)
    if previous is not None and elected_on < previous.elected_on:
        raise ValidationError({"elected_on": _("The current term was elected on %(day)s; the new one cannot "
                                               "be elected before.") % {"day": previous.elected_on.isoformat()}})
    _check_posts(branch, posts)
    if previous is not None:
        CommitteeTerm.objects.filter(branch=branch, ended_on__isnull=True).update(ended_on=elected_on)
        CommitteeMember.objects.filter(term__branch=branch, ended_on__isnull=True).update(ended_on=elected_on)
        audit.record(AuditAction.UPDATE, actor=actor, obj=previous, scope_path=branch.path,
                     changes={"ended_on": [None, elected_on.isoformat()]}, detail={"branch": branch.pk})
    term = CommitteeTerm.objects.create(branch=branch, elected_on=elected_on, ends_on=ends_on,
                                        note=(note or "")[:200], created_by=actor)
    CommitteeMember.objects.bulk_create(
        CommitteeMember(term=term, post=post, person=person, started_on=elected_on)
        for post, person in sorted(posts.items(), key=lambda item: POST_ORDER.index(item[0])))
    counts.recount([branch.pk])
    audit.record(AuditAction.CREATE, actor=actor, obj=term, scope_path=branch.path,
                 changes=audit.diff({}, _term_audit(term, posts)), detail={"branch": branch.pk})
    return term, committee_notes(len(full_member_ids(branch)), posts)


@transaction.atomic
def change_post(*, actor, scope, branch, post, person, on_date):
    require_manage(scope, branch)
    if post not in CommitteePost.values:
        raise ValidationError({"post": _("Choose a post.")})
    term = current_term(branch)
    if term is None:
        raise ValidationError(_("The branch has no committee in office: elect a term first."))
    if on_date < term.elected_on:
        raise ValidationError({"on_date": _("The change cannot come before the term was elected (%(day)s).")
                               % {"day": term.elected_on.isoformat()}})
    if on_date > timezone.localdate():
        raise ValidationError({"on_date": _("The date cannot be in the future.")})
    holders = list(term.posts.filter(ended_on__isnull=True).select_related("person"))
    holder = next((h for h in holders if h.post == post), None)
    if person is None and post == CommitteePost.SECRETARY:
        raise ValidationError({"person": _("The secretary's post cannot stay vacant: choose the new secretary.")})
    if person is not None:
        if holder is not None and holder.person_id == person.pk:
            raise ValidationError({"person": _("%(name)s already holds this post.") % {"name": person.name}})
        if any(h.person_id == person.pk for h in holders if h.post != post):
            raise ValidationError({"person": _("%(name)s already holds another post; change that post first.")
                                   % {"name": person.name}})
        if person.pk not in full_member_ids(branch):
            raise ValidationError({"person": _("Only full members of this branch can hold a post.")})
    if holder is None and person is None:
        raise ValidationError({"person": _("This post is vacant already.")})
    if holder is not None:
        holder.ended_on = on_date
        holder.save(update_fields=["ended_on"])
    made = None
    if person is not None:
        made = CommitteeMember.objects.create(term=term, post=post, person=person, started_on=on_date)
    counts.recount([branch.pk])
    audit.record(AuditAction.UPDATE, actor=actor, obj=term, scope_path=branch.path,
                 changes={f"posts.{post}": [holder.person.name if holder else "", person.name if person else ""]},
                 detail={"branch": branch.pk, "on": on_date.isoformat()})
    return made


def branch_open_choices(scope, today=None):
    """Open branches of the scope, in tree order (for choosing a target)."""
    today = today or timezone.localdate()
    return Branch.objects.visible_to(scope).open_on(today).select_related("node").order_by("path")
