"""Annual check routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A campaign and
the item of the matrix's county-A person, asked for by county B."""

import datetime

from django.utils import timezone


def campaign(o):
    """County A's annual check of this year (opened once per matrix), holding ``o.person``."""
    existing = getattr(o, "annual_check_campaign", None)
    if existing is None:
        from yinfa.core.models import RoleGrant
        from yinfa.core.scope import Scope
        from yinfa.people.services.annual_check import open_campaign

        admin = o.world.county_a_admin
        scope = Scope.from_grant(RoleGrant.objects.select_related("node").get(user=admin))
        existing = open_campaign(actor=admin, scope=scope, year=timezone.localdate().year,
                                 due_on=timezone.localdate() + datetime.timedelta(days=30), title="甲县老同志年检")
        o.annual_check_campaign = existing
    return existing


def item(o):
    return campaign(o).items.get(person=o.person)


def _campaign_kwargs(o):
    return {"pk": campaign(o).pk}


def _item_kwargs(o):
    return {"pk": item(o).pk}


ROUTES = {
    "people:annual_check_detail": (_campaign_kwargs, "admin_b"),
    "people:annual_check_progress_export": (_campaign_kwargs, "admin_b"),
    "people:annual_check_remind": (_campaign_kwargs, "admin_b"),
    "people:annual_check_close": (_campaign_kwargs, "admin_b"),
    "people:annual_check_prepare": (_campaign_kwargs, "admin_b"),
    "people:annual_check_unconfirmed": (_campaign_kwargs, "unit_b"),
    "people:annual_check_unconfirmed_export": (_campaign_kwargs, "admin_b"),
    "people:annual_check_confirm": (_campaign_kwargs, "unit_b"),
    "people:annual_check_confirm_selected": (_campaign_kwargs, "unit_b"),
    "people:annual_check_item": (_item_kwargs, "unit_b"),
    "people:annual_check_item_confirm": (_item_kwargs, "unit_b"),
}
