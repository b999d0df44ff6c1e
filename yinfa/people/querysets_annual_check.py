"""Reads of the annual check (年检), always within a scope.

- A campaign is visible when its node lies in the scope (the county sees its own and its units' campaigns) or
  the scope lies inside its node (a unit administrator sees the county's campaign, to confirm its own people).
- An item is visible when the unit answering for it lies in the scope, or its person is visible
  (``Person.objects.visible_to``), or its campaign's node lies in the scope; and its campaign is visible.
"""

from django.db.models import Count, Q

from yinfa.core.scope import ancestor_paths, scope_condition
from yinfa.people.models import AnnualCheckCampaign, AnnualCheckItem, CampaignStatus, CheckStatus, Person


def campaign_condition(scope, prefix=""):
    """Q: the campaign (reached through ``prefix``, e.g. 'campaign__') is visible in ``scope``."""
    inside = scope_condition(scope, f"{prefix}scope_path")
    return inside | Q(**{f"{prefix}scope_path__in": ancestor_paths(scope.path)})


def campaigns_visible_to(scope):
    """Campaigns of the scope's subtree, and those of the organisations above it."""
    if scope is None:
        return AnnualCheckCampaign.objects.none()
    return AnnualCheckCampaign.objects.filter(campaign_condition(scope))


def campaign_within(campaign, scope):
    """True when the campaign's node lies in the scope: the scope manages it (reminders, close, all items)."""
    return scope is not None and scope.contains_path(campaign.scope_path)


def items_visible_to(scope):
    """Items whose unit lies in the scope, whose person is visible, or whose whole campaign the scope manages;
    always in a visible campaign."""
    if scope is None:
        return AnnualCheckItem.objects.none()
    anchors = scope_condition(scope, "unit_path", "campaign__scope_path")
    by_person = Q(person__in=Person.objects.visible_to(scope).values("pk"))
    return AnnualCheckItem.objects.filter(anchors | by_person).filter(campaign_condition(scope, "campaign__"))


def campaign_items(campaign, scope):
    """The items of ``campaign`` (a campaign visible in ``scope``) that the scope may see.

    A scope at or above the campaign's node sees all of them (the campaign's roster was drawn from the people
    visible in its node, inside the scope), so the progress of a province campaign stays one aggregate over the
    campaign's rows. A scope below the node (a unit inside a county's campaign) sees what ``items_visible_to``
    allows: its own units' people and the people visible to it.
    """
    if campaign_within(campaign, scope):
        return AnnualCheckItem.objects.filter(campaign=campaign)
    return items_visible_to(scope).filter(campaign=campaign)


def unconfirmed_items(items, unit_id=None):
    """The items not yet confirmed, optionally of one unit (an id; anything else is ignored)."""
    rows = items.filter(status=CheckStatus.PENDING)
    try:
        unit_id = int(unit_id) if unit_id not in (None, "") else None
    except (TypeError, ValueError):
        unit_id = None
    return rows.filter(unit_id=unit_id) if unit_id else rows


def progress_counts():
    """Aggregates of items: planned, confirmed, corrected. Counting only indexed columns lets PostgreSQL answer
    from the (campaign, unit, status) index alone."""
    return {
        "planned": Count("*"),
        "confirmed": Count("status", filter=Q(status=CheckStatus.CONFIRMED)),
        "corrected": Count("status", filter=Q(status=CheckStatus.CORRECTED)),
    }


def with_shares(row):
    row["done"] = row["confirmed"] + row["corrected"]
    row["pending"] = row["planned"] - row["done"]
    row["percent"] = int(row["done"] * 100 / row["planned"]) if row["planned"] else 0
    row["complete"] = bool(row["planned"]) and row["pending"] == 0
    return row


def unit_progress(items):
    """Per-unit figures of ``items`` (one GROUP BY query), lowest share done first."""
    rows = list(items.values("unit_id").annotate(**progress_counts()).order_by())
    rows = [with_shares(row) for row in rows]
    rows.sort(key=lambda r: (r["done"] / r["planned"] if r["planned"] else 1.0, -r["pending"], r["unit_id"]))
    return rows


def open_campaigns():
    """Every open campaign, for the scheduler's reminders (not a page: no scope)."""
    return AnnualCheckCampaign.objects.filter(status=CampaignStatus.OPEN)
