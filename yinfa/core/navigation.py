"""The left navigation: modules by domain. Modules not built yet are shown greyed, never broken."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yinfa.core.permissions import Perm


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    icon: str
    url_name: str | None  # None: not built yet (greyed)
    perms: tuple = ()  # the role in use needs one of these to see the entry


MODULES = (
    Module("home", _("Home"), "house", "core:home"),
    Module("people", _("Person files"), "person-vcard", "people:person_list", (Perm.PEOPLE_VIEW,)),
    Module("annual_check", _("Annual check"), "clipboard-check", "people:annual_check_list", (Perm.PEOPLE_VIEW,)),
    Module("imports", _("Roster import"), "upload", "people:import_list", (Perm.PEOPLE_IMPORT,)),
    Module("partylife", _("Party life"), "flag", "partylife:branch_list", (Perm.PARTY_VIEW,)),
    Module("dues", _("Party dues"), "cash-coin", "dues:home", (Perm.DUES_MANAGE,)),
    Module("care", _("Care and visits"), "heart", "care:home", (Perm.CARE_VIEW, Perm.SERVICE_FULFIL)),
    Module("needs", _("Services and wishes"), "basket", "needs:home",
           (Perm.CARE_VIEW, Perm.SERVICE_FULFIL, Perm.SELF_SERVICE)),
    Module("engagement", _("Contribution and activities"), "people", None, (Perm.PEOPLE_VIEW,)),
    Module("reports", _("Statistics and reports"), "bar-chart", None, (Perm.PEOPLE_VIEW,)),
    Module("org", _("Organisations"), "diagram-3", "core:org_tree", (Perm.ORG_VIEW,)),
    Module("accounts", _("Accounts and roles"), "person-gear", "core:user_list", (Perm.USER_VIEW,)),
    Module("audit", _("Audit trail"), "journal-text", "core:audit_list", (Perm.AUDIT_VIEW,)),
    Module("system", _("System settings"), "gear", "core:system_settings", (Perm.SYSTEM_SETTINGS,)),
    Module("jobs", _("Background jobs"), "hourglass-split", "core:job_list", ()),
    Module("api", _("API documentation"), "code-slash", "api_docs", (Perm.USER_VIEW, Perm.ORG_VIEW,
                                                                      Perm.PEOPLE_VIEW)),
)


def modules_for(scope, current_key=None):
    """Navigation entries for the role in use: (module, url or None, is_current)."""
    entries = []
    for module in MODULES:
        if module.perms and (scope is None or not any(scope.has(p) for p in module.perms)):
            continue
        url = reverse(module.url_name) if module.url_name else None
        entries.append({"module": module, "url": url, "current": module.key == current_key})
    return entries
