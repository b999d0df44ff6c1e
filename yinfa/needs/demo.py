"""Services of the demo counties (三张清单, 点单式服务, 微心愿), written straight to the models in bulk
(``seed_needs``).

Called by ``yinfa.core.demo.loader.load`` after ``seed_care`` (some orders and wishes come from the needs recorded
on its visits). Deterministic for a given ``random.Random``; the demo's "today" is ``REFERENCE_DATE`` (2026-11-22).

1. The resource list (organisations, the volunteers' accounts, 银发人才 with their specialties), the service menu of
青禾县 and 东关社区 (and one item of 白溪县), the project list; 2. orders in every state with their steps and the
working-day clock (some overdue); 3. micro-wishes in every state with claims and steps.
"""

import datetime
import random

from yinfa.care.demo_context import COUNTY_CODE, HOME_COMMUNITY, SIBLING_CODE, DemoContext, age_on
from yinfa.core.demo import REFERENCE_DATE
from yinfa.needs import demo_orders, demo_wishes
from yinfa.needs import demo_texts as texts
from yinfa.needs.models import Resource, ServiceItem, ServiceProject

VOLUNTEER_COMMUNITIES = {"zhiyuanzhe": HOME_COMMUNITY, "zhiyuanzhe2": "QH-S01-C02", "zhiyuanzhe3": "QH-S01-C03"}
TALENTS = 4


def seed_needs(*, rng, nodes, people, accounts, visits, today=REFERENCE_DATE):
    """Write the services data of the demo; returns the figures for the summary.

    ``nodes``, ``people``, ``accounts`` as for ``yinfa.care.demo.seed_care``; ``visits``: the saved visits whose
    needs may become orders or wishes (``yinfa.care.demo.visits_with_needs()``)."""
    parts = {name: random.Random(rng.getrandbits(64)) for name in ("lists", "orders", "wishes")}
    ctx = DemoContext.build(nodes=nodes, people=people, accounts=accounts, today=today)
    visits = [v for v in visits if v.needs]
    lists = seed_lists(parts["lists"], ctx)
    figures = {"resources": len(lists["resources"]), "menu_items": len(lists["items"]),
               "projects": len(lists["projects"])}
    figures.update(demo_orders.seed_orders(parts["orders"], ctx, lists, visits))
    figures.update(demo_wishes.seed_wishes(parts["wishes"], ctx, visits))
    return figures


def _node(ctx, where):
    return ctx.nodes[{"county": COUNTY_CODE, "home": HOME_COMMUNITY, "sibling": SIBLING_CODE}[where]]


def _keeper(ctx, node):
    if node.code == HOME_COMMUNITY and ctx.user("shequ_admin"):
        return ctx.user("shequ_admin")
    return ctx.user("ju_admin_b" if node.code.startswith("BX") or node.code == SIBLING_CODE else "ju_admin")


def _talents(rng, ctx):
    """A few retirees with talents (银发人才): alive, at home, under 80, with a specialty that serves others."""
    found = []
    for person in ctx.county_people():
        if not person.specialties or not ctx.local(person, ctx.today) or age_on(person, ctx.today) >= 80:
            continue
        categories = sorted({c for word, cats in texts.TALENT_CATEGORIES if word in person.specialties for c in cats})
        if categories and person.pk != ctx.retiree_pk:
            found.append((person, categories))
    home = [f for f in found if ctx.community(f[0]).code == HOME_COMMUNITY]
    chosen = home[:1]
    rest = [f for f in found if f[0].pk not in {c[0].pk for c in chosen}]
    chosen += rng.sample(rest, min(len(rest), TALENTS - len(chosen)))
    return chosen


def seed_lists(rng, ctx):
    """The resource list, the service menu and the project list; returns them by key."""
    resources = {}
    for (key, kind, name, provider_code, community_code, categories, offer, skills, place, when,
         contact) in texts.RESOURCES:
        if (provider_code and provider_code not in ctx.nodes) or (community_code and community_code not in ctx.nodes):
            continue
        sibling = provider_code.startswith("BX")
        node = ctx.nodes[community_code] if community_code else ctx.nodes[SIBLING_CODE if sibling else COUNTY_CODE]
        resources[key] = Resource(
            node=node, node_path=node.path, provider_kind=kind, provider_name=name,
            provider_node=ctx.nodes.get(provider_code), community=ctx.nodes.get(community_code),
            categories=categories, offer=offer, skills=skills, place=place, available=when, contact_name=contact,
            created_by=_keeper(ctx, node))
    for username, (categories, offer, skills, when) in texts.VOLUNTEER_OFFERS.items():
        user, code = ctx.user(username), VOLUNTEER_COMMUNITIES[username]
        if user is None or code not in ctx.nodes:
            continue
        node = ctx.nodes[code]
        resources[f"vol:{username}"] = Resource(
            node=node, node_path=node.path, provider_kind="volunteer", provider_name=user.full_name,
            provider_user=user, community=node, categories=categories, offer=offer, skills=skills,
            place=node.name, available=when, contact_name=user.full_name, created_by=_keeper(ctx, node))
    for person, categories in _talents(rng, ctx):
        node = ctx.community(person)
        skills = " ".join(person.specialties.replace("，", "、").replace(",", "、").split("、"))[:200]
        resources[f"talent:{person.pk}"] = Resource(
            node=node, node_path=node.path, provider_kind="retiree", provider_name=person.name,
            provider_person=person, community=node, categories=categories,
            offer=f"发挥{person.specialties}专长，为老同志义务服务"[:200], skills=skills, place=node.name,
            available=rng.choice(("每周三上午", "周末", "预约时间")), contact_name=person.name,
            created_by=_keeper(ctx, node))
    Resource.objects.bulk_create(resources.values())

    items = {}
    for key, (where, name, category, description, accept, complete, free, price) in texts.MENU.items():
        node = _node(ctx, where)
        items[key] = ServiceItem(node=node, node_path=node.path, name=name, category=category,
                                 description=description, accept_days=accept, complete_days=complete, free=free,
                                 price_note=price, created_by=_keeper(ctx, node))
    ServiceItem.objects.bulk_create(items.values())

    projects = {}
    for (key, where, title, item_key, provider_key, frequency, beneficiaries, agreement, starts, ends,
         active) in texts.PROJECTS:
        if provider_key not in resources:
            continue
        node = _node(ctx, where)
        projects[key] = ServiceProject(
            node=node, node_path=node.path, title=title, item=items[item_key], provider=resources[provider_key],
            frequency=frequency, beneficiaries=beneficiaries, agreement=agreement,
            starts_on=datetime.date.fromisoformat(starts),
            ends_on=datetime.date.fromisoformat(ends) if ends else None, active=active,
            created_by=_keeper(ctx, node))
    ServiceProject.objects.bulk_create(projects.values())
    return {"resources": resources, "items": items, "projects": projects}
