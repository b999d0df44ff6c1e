"""Load the demo county into an empty database: ``manage.py seed_demo [--seed N] [--scale 1.0]``.

Deterministic: the same seed and scale give the same organisations, people and accounts (ciphertexts differ,
because every encryption draws a fresh nonce). Running it again on a database that already holds the demo
only says so; the demo never loads over other data.
"""

import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yinfa.core.demo import DEFAULT_SEED, DEMO_PASSWORD
from yinfa.core.demo.loader import AlreadySeeded, DatabaseNotEmpty, county_kinds, load
from yinfa.core.models import OrgKind


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _left(text, width):
    text = str(text)
    return text + " " * max(1, width - _width(text))


def _right(value, width):
    text = str(value)
    return " " * max(1, width - _width(text)) + text


class Command(BaseCommand):
    help = "Load the demo county (organisations, retirees, one account per role) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="share of the county's 3,397 retirees to generate (default: 1.0)")

    def handle(self, *args, seed, scale, **options):
        if settings.YINFA_ENV == "production":
            raise CommandError("seed_demo loads fictional data and demo passwords; it refuses to run in production.")
        if not 0 < scale <= 50:
            raise CommandError("--scale must be greater than 0 and at most 50.")
        started = time.monotonic()
        try:
            result = load(seed=seed, scale=scale)
        except AlreadySeeded:
            self.stdout.write("The demo county is already loaded; nothing to do. (To rebuild it, start from a new "
                              "empty database.)")
            return
        except DatabaseNotEmpty:
            raise CommandError("This database already holds organisations or accounts; seed_demo loads the demo "
                               "only into an empty database.")
        elapsed = time.monotonic() - started
        self._print_summary(result, elapsed, seed, scale)

    def _print_summary(self, result, elapsed, seed, scale):
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo county loaded in {elapsed:.1f} s (seed {seed}, scale {scale})."))
        out("")
        out(_left("Organisations", 28) + _right("江北市", 8) + _right("青禾县", 8) + _right("白溪县", 8))
        for kind in county_kinds():
            counts = [result.nodes_by_kind.get((prefix, kind), 0) for prefix in ("JB", "QH", "BX")]
            if any(counts):
                out(_left(OrgKind(kind).label, 28) + "".join(_right(n, 8) for n in counts))
        people = result.people
        out("")
        out(_left("Retirees of 青禾县", 28) + _right(people['county_total'], 8))
        out(_left("  lixiu", 28) + _right(people['county_lixiu'], 8))
        out(_left("  tuixiu", 28) + _right(people['county_tuixiu'], 8))
        out(_left("  deceased", 28) + _right(people['county_deceased'], 8))
        out(_left("  living in another city", 28) + _right(people['county_lives_elsewhere'], 8))
        out(_left("  CPC members", 28) + _right(people['county_cpc_members'], 8))
        out(_left("  average age of lixiu", 28) + _right(result.lixiu_average_age, 8))
        out(_left("Retirees of 白溪县", 28) + _right(people['sibling_total'], 8))
        party = result.party
        if party:
            out("")
            out("Party life and dues (both counties, 2025-12 to 2026-11-22)")
            for label, key in (("  branches", "branches"), ("  members", "members"), ("  meetings", "meetings"),
                               ("  attendance rows", "attendance"), ("  送学上门 rows", "delivered"),
                               ("  dues payments", "payments"), ("  members in arrears", "in_arrears"),
                               ("    3 months or more", "arrears_3_plus"), ("    5 months or more", "arrears_5_plus")):
                out(_left(label, 28) + _right(party[key], 8))
            out(_left("  assessment round", 28) + f"{party['assessment_round']} "
                f"({party['assessments']} branches, under review)")
        care, needs = result.care, result.needs
        if care and needs:
            out("")
            out("Care and services (2026 to 2026-11-22)")
            for label, value in (
                    ("  visits", care["visits"]),
                    ("  春节 campaign visited", f"{care['spring_done']}/{care['spring_tasks']}"),
                    ("  重阳/冬季 campaign visited", f"{care['winter_done']}/{care['winter_tasks']}"),
                    ("  aid applications", care["aid"]),
                    ("    awaiting unit review", care["aid_by_status"]["submitted"]),
                    ("    awaiting approval", care["aid_by_status"]["unit_reviewed"]),
                    ("    paid in 2026 (yuan)", care["aid_paid_2026_yuan"]),
                    ("  care assignments", care["care_assignments"]),
                    ("    vulnerable, no carer", care["care_unassigned"]),
                    ("  care contacts (8 weeks)", care["care_contacts"]),
                    ("  open escalations", care["escalations_open"]),
                    ("  resources/menu/projects", f"{needs['resources']}/{needs['menu_items']}/{needs['projects']}"),
                    ("  service orders", needs["orders"]),
                    ("    overdue", needs["orders_overdue"]),
                    ("  micro-wishes", needs["wishes"]),
                    ("    claimed, being fulfilled", needs["claims_active"])):
                out(_left(label, 28) + _right(value, 8))
        out("")
        out(f"Demo logins (password for all: {DEMO_PASSWORD})")
        out(_left("user name", 15) + _left("role", 34) + "organisation")
        for username, role, node_name, _secret in result.logins:
            out(_left(username, 15) + _left(role, 34) + node_name)
        secrets = [(u, s) for u, _r, _n, s in result.logins if s]
        if secrets:
            out("")
            out("Second factor (TOTP) of the three administrators — demo secrets; the current code is printed by")
            out("`manage.py totp_code USERNAME`:")
            for username, secret in secrets:
                out(f"  {username:<15}{secret}")
