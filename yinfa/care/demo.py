"""Care of the demo counties, written straight to the models in bulk (``seed_care``).

Called by ``yinfa.core.demo.loader.load`` after the party life. Deterministic for a given ``random.Random``; the
demo's "today" is ``REFERENCE_DATE`` (2026-11-22), never the real date.

1. Two more volunteers for 城关街道 (``zhiyuanzhe2`` at 西关社区, ``zhiyuanzhe3`` at 南街社区) and, if the files
have fewer, three people in hospital now in 东关社区 and the finance bureau; 2. the visit campaigns (2026 春节 closed,
重阳节暨冬季 under way) with their visits; 3. a year of other visits (birthdays, hospital, routine, 异地安置, 遗属);
4. hardship aid in every state; 5. care policies, assignments, contacts and escalations.
"""

import random

from yinfa.care import demo_aid, demo_campaigns, demo_contacts, demo_visits
from yinfa.care.demo_context import DemoContext
from yinfa.care.models import Visit, VisitKind
from yinfa.core.demo import DEMO_PASSWORD, REFERENCE_DATE
from yinfa.core.demo.blueprint import ROOT_CODE
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import Scope
from yinfa.core.services import accounts as account_services

# (user name, full name, community, mobile): volunteers who look after the vulnerable of 城关街道 (not in DEMO_LOGINS).
EXTRA_VOLUNTEERS = (("zhiyuanzhe2", "钱晓梅", "QH-S01-C02", "13900000021"),
                    ("zhiyuanzhe3", "韩立新", "QH-S01-C03", "13900000022"))


def seed_care(*, rng, nodes, people, accounts, today=REFERENCE_DATE):
    """Write the care data of the demo; returns the figures for the summary.

    ``nodes``: node code -> OrgNode; ``people``: person uid -> saved Person (the loader's dicts); ``accounts``: user
    name -> User (missing demo accounts are read by name). The volunteers created here are added to ``accounts``."""
    accounts = {} if accounts is None else accounts
    parts = {name: random.Random(rng.getrandbits(64)) for name in
             ("hospital", "campaigns", "visits", "aid", "contacts")}
    figures = {"volunteers_added": add_volunteers(nodes, accounts)}
    ctx = DemoContext.build(nodes=nodes, people=people, accounts=accounts, today=today)
    figures["hospital_stays_added"] = demo_visits.add_current_stays(parts["hospital"], ctx)
    survivors = demo_visits.survivors(ctx)
    figures.update(demo_campaigns.seed_campaigns(parts["campaigns"], ctx))
    demo_visits.plan_visits(parts["visits"], ctx, survivors)
    visits = demo_visits.save_visits(ctx)
    figures["visits"] = len(visits)
    figures["visits_by_kind"] = {kind.value: sum(1 for v in visits if v.kind == kind) for kind in VisitKind}
    figures["visits_with_needs"] = sum(1 for v in visits if v.needs)
    figures.update(demo_aid.seed_aid(parts["aid"], ctx, survivors))
    figures.update(demo_contacts.seed_contacts(parts["contacts"], ctx))
    return figures


def add_volunteers(nodes, accounts):
    """Create the extra volunteers (once); returns how many were created."""
    root = nodes[ROOT_CODE]
    bootstrap = Scope(grant_id=0, node_id=root.pk, node_name=root.name, path=root.path, depth=root.depth,
                      role="bootstrap", permissions=frozenset({Perm.GRANT_BUSINESS_ROLES}))
    created = 0
    for username, full_name, code, mobile in EXTRA_VOLUNTEERS:
        if username in accounts or code not in nodes:
            continue
        user = account_services.create_user(actor=None, username=username, full_name=full_name,
                                            password=DEMO_PASSWORD, mobile=mobile, must_change_password=False)
        account_services.grant_role(actor=None, actor_scope=bootstrap, user=user, role=Role.VOLUNTEER,
                                    node=nodes[code])
        accounts[username] = user
        created += 1
    return created


def visits_with_needs():
    """The demo's visits that recorded needs, oldest first: ``seed_needs`` turns some into orders and wishes."""
    return list(Visit.objects.exclude(needs="").order_by("visited_on", "uid"))
