"""Visit campaign routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): an open county-A campaign
whose roster holds the matrix's county-A person, and that person's task, asked for by county B."""


def _admin_scope(o):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=o.world.county_a_admin))


def campaign(o):
    """An open county-A campaign (made once per matrix) visiting everyone aged 50 or more."""
    existing = getattr(o, "care_campaign", None)
    if existing is None:
        from django.utils import timezone

        from yinfa.care.models import Festival
        from yinfa.care.services.campaigns import create_campaign, open_campaign
        from yinfa.people.tests.factories import make_person

        if o.person is None:
            o.person = make_person(o.world.unit_a, community=o.world.community_a, name="甲县老同志")
        year = timezone.localdate().year
        existing = create_campaign(actor=o.world.county_a_admin, scope=_admin_scope(o), node=o.world.county_a,
                                   values={"title": "甲县春节慰问", "festival": Festival.SPRING, "year": year,
                                           "criteria": {"groups": ["aged"], "age": 50}})
        open_campaign(actor=o.world.county_a_admin, scope=_admin_scope(o), campaign=existing)
        o.care_campaign = existing
    return existing


def task(o):
    return campaign(o).tasks.get(person=o.person)


def _campaign_kwargs(o):
    return {"pk": campaign(o).pk}


def _task_kwargs(o):
    return {"pk": task(o).pk}


ROUTES = {
    **{f"care:{name}": (_campaign_kwargs, "admin_b") for name in (
        "campaign_detail", "campaign_edit", "campaign_delete", "campaign_transition", "campaign_redraw",
        "campaign_export", "campaign_unit")},
    "care:task_skip": (_task_kwargs, "admin_b"),
    "care:task_unskip": (_task_kwargs, "admin_b"),
}
API_ROUTES = {"visit-campaign": campaign, "campaign-task": task}
