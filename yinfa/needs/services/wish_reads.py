"""微心愿 — what a user may open and see: the wishes they can reach, the wall, the counts per scope, the photos, and
what the viewer of one wish may do with it (the pages' buttons; the services decide).

Reads go through ``Wish.objects.visible_to`` (staff: the people of the scope) and ``Wish.objects.on_wall_for``
(everyone working with the wall: the walls at, above or inside the scope), plus the two personal ties that reach
beyond a scope: the beneficiary's own account (``Person.account``) and the claimant of a claim.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.scope import ancestor_paths
from yinfa.needs.masking import mask_name
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishPhoto, WishStatus
from yinfa.needs.services.wishes import (
    ON_WALL,
    can_claim,
    can_view_wall,
    is_beneficiary,
    is_staff_for,
    on_wall_of,
    state_allows,
)

S = WishStatus
# The columns of the counts per organisation (rejected and withdrawn wishes are not counted there).
COUNTED = (S.COLLECTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED)
WALL_COUNTED = (S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED)
# The claims that let their claimant open the wish (and its photos): the active one, and the one that fulfilled it
# (its claimant follows the fulfilment to the confirmation). A claim given up, ended by a withdrawal or expired gives
# nothing any more.
SEEING_CLAIMS = (ClaimStatus.ACTIVE, ClaimStatus.FULFILLED)


def claimed_by_user(user):
    """The wishes the user holds the active claim of, or fulfilled."""
    claims = WishClaim.objects.filter(claimant=user, status__in=SEEING_CLAIMS)
    return Wish.objects.filter(pk__in=claims.values("wish_id"))


def accessible_wishes(scope, user):
    """Every wish the user may open: staff (CARE_VIEW) those of the people in the scope; the wall's users the
    published and claimed wishes of their walls; the beneficiary their own; a claimant those they hold the active
    claim of or fulfilled (``claimed_by_user``)."""
    wishes = Wish.objects.filter(person__account=user) | claimed_by_user(user)
    if scope is not None and scope.has(Perm.CARE_VIEW):
        wishes = wishes | Wish.objects.visible_to(scope)
    if can_view_wall(scope):
        wishes = wishes | Wish.objects.on_wall_for(scope).filter(status__in=ON_WALL)
    return wishes


def wall_wishes(scope):
    """The wish wall of the scope: published and claimed wishes of the walls at, above or inside it."""
    return Wish.objects.on_wall_for(scope).filter(status__in=ON_WALL)


def with_claim(wishes):
    """Each wish with its current claim (the active one, or the one that fulfilled it): the claimant's name and
    account, the due day and the claim's status — subqueries, no query per row."""
    current = (WishClaim.objects.filter(wish=OuterRef("pk"), status__in=SEEING_CLAIMS)
               .order_by("-claimed_at", "-pk"))
    return wishes.annotate(claim_name=Subquery(current.values("claimant_name")[:1]),
                           claim_user_id=Subquery(current.values("claimant_id")[:1]),
                           claim_fulfil_by=Subquery(current.values("fulfil_by")[:1]))


def wall_counts(scope):
    """How many wishes of the scope's walls are open, claimed, fulfilled and confirmed (one aggregate query)."""
    totals = Wish.objects.on_wall_for(scope).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in WALL_COUNTED})
    labels = dict(S.choices)
    return [{"status": status, "label": labels[status], "count": totals[status]} for status in WALL_COUNTED]


@dataclass
class CountRow:
    name: str
    node_id: int | None = None
    counts: dict = field(default_factory=dict)
    cost: Decimal = Decimal("0")
    kind: str = "child"  # child, own (the scope's node itself), outside (walls outside the scope)

    @property
    def cells(self):
        return [self.counts.get(status, 0) for status in COUNTED]

    @property
    def labelled_cells(self):
        labels = dict(S.choices)
        return [(labels[status], self.counts.get(status, 0)) for status in COUNTED]

    @property
    def total(self):
        return sum(self.cells)


@dataclass
class Counts:
    by_status: list
    rows: list
    total: CountRow

    @property
    def statuses(self):
        labels = dict(S.choices)
        return [(status, labels[status]) for status in COUNTED]


def counts_for_scope(scope, wishes=None):
    """Counts of the scope's wishes per status and per organisation one level below the scope (by the wall the
    wish is published to): collected, published, claimed, fulfilled, confirmed and the total estimated cost.
    One aggregate query (per wall and status) and one for the organisations."""
    wishes = Wish.objects.visible_to(scope) if wishes is None else wishes
    grouped = list(wishes.order_by().values("wall_path", "status")
                   .annotate(n=Count("pk"), cost=Sum("estimated_cost")))
    children = list(OrgNode.objects.filter(parent_id=scope.node_id).only("pk", "name", "path")
                    .order_by("sort_order", "name", "pk"))
    rows = {child.path: CountRow(name=child.name, node_id=child.pk) for child in children}
    own = CountRow(name=scope.node_name, node_id=scope.node_id, kind="own")
    outside = CountRow(name="", kind="outside")
    total = CountRow(name="", kind="total")
    by_status = dict.fromkeys(S.values, 0)
    level = len(ancestor_paths(scope.path))  # the index of a child's path among a descendant's ancestors
    for item in grouped:
        by_status[item["status"]] += item["n"]
        if item["status"] not in COUNTED:
            continue
        path = item["wall_path"]
        if scope.contains_path(path) and path != scope.path:
            row = rows.get(ancestor_paths(path)[level]) or own
        elif path == scope.path:
            row = own
        else:
            row = outside
        for target in (row, total):
            target.counts[item["status"]] = target.counts.get(item["status"], 0) + item["n"]
            target.cost += item["cost"] or Decimal("0")
    table = list(rows.values())
    if own.total:
        table.insert(0, own)
    if outside.total:
        table.append(outside)
    labels = dict(S.choices)
    return Counts(by_status=[{"status": s, "label": labels[s], "count": by_status[s]} for s in S.values],
                  rows=table, total=total)


# --- photos ---------------------------------------------------------------------------------------------------

def visible_photos(scope, user):
    """Photos of fulfilled wishes: staff in scope (CARE_VIEW), the claimant who took them (while their claim is
    active or fulfilled, the rule of ``claimed_by_user``), the beneficiary."""
    condition = Q(claim__claimant=user, claim__status__in=SEEING_CLAIMS) | Q(wish__person__account=user)
    if scope is not None and scope.has(Perm.CARE_VIEW):
        condition |= Q(wish__in=Wish.objects.visible_to(scope).values("pk"))
    return WishPhoto.objects.filter(condition)


# --- one wish, seen by one user -------------------------------------------------------------------------------

@dataclass
class Viewer:
    """What the user in their role in use is to this wish, and which actions the page offers."""

    staff: bool  # CARE_VIEW, the person in scope: sees everything, the name in full
    manage: bool  # CARE_MANAGE, the person in scope
    beneficiary: bool
    claimant: bool  # holds the active claim
    claimer: bool  # may claim it from the wall
    actions: set

    @property
    def full_name(self):
        return self.staff or self.beneficiary

    def can(self, action):
        return action in self.actions


def viewer_of(wish, scope, user, claim=None):
    """``claim``: the wish's active claim, if any (the caller has it already)."""
    staff = is_staff_for(scope, wish, Perm.CARE_VIEW)
    manage = is_staff_for(scope, wish, Perm.CARE_MANAGE)
    beneficiary = is_beneficiary(user, wish)
    claimant = claim is not None and claim.claimant_id == user.pk
    claimer = can_claim(scope) and on_wall_of(scope, wish) and not beneficiary
    rules = {
        "publish": manage, "reject": manage, "withdraw": manage, "claim": claimer,
        "release": claimant, "fulfil": claimant, "confirm": beneficiary or manage,
    }
    actions = {action for action, allowed in rules.items() if allowed and state_allows(wish, action)}
    return Viewer(staff=staff, manage=manage, beneficiary=beneficiary, claimant=claimant, claimer=claimer,
                  actions=actions)


def shown_name(wish, viewer):
    """The beneficiary's name as this viewer may see it: in full for staff and the person, else partly hidden."""
    return wish.person.name if viewer.full_name else mask_name(wish.person.name)
