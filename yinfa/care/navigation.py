"""The care module's tabs."""

from django.utils.translation import gettext_lazy as _

from yinfa.core.permissions import Perm
from yinfa.core.subnav import Tab

TABS = (
    Tab("home", _("Overview"), "care:home", (Perm.CARE_VIEW,)),
    Tab("visits", _("Visits"), "care:visit_list", (Perm.CARE_VIEW,)),
    Tab("campaigns", _("Visit campaigns"), "care:campaign_list", (Perm.CARE_VIEW,)),
    Tab("birthdays", _("Round birthdays"), "care:birthdays", (Perm.CARE_VIEW,)),
    Tab("hospital", _("In hospital"), "care:hospital_list", (Perm.CARE_VIEW,)),
    Tab("aid", _("Hardship aid"), "care:aid_list", (Perm.CARE_VIEW,)),
    Tab("my_care", _("My care list"), "care:my_care", (Perm.CARE_MANAGE, Perm.SERVICE_FULFIL)),
    Tab("care_contacts", _("Care contacts"), "care:assignment_list", (Perm.CARE_VIEW,)),
    Tab("escalations", _("Escalations"), "care:escalation_list", (Perm.CARE_VIEW,)),
    Tab("policies", _("Care policies"), "care:policy_list", (Perm.CARE_VIEW,)),
)
