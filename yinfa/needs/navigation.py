"""The services-and-wishes module's tabs."""

from django.utils.translation import gettext_lazy as _

from yinfa.core.permissions import Perm
from yinfa.core.subnav import Tab

TABS = (
    Tab("mine", _("My services"), "needs:self_home", (Perm.SELF_SERVICE,)),
    Tab("orders", _("Needs list"), "needs:order_list", (Perm.CARE_VIEW,)),
    Tab("overdue", _("Overdue orders"), "needs:order_overdue", (Perm.CARE_VIEW,)),
    Tab("my_tasks", _("My tasks"), "needs:my_tasks", (Perm.SERVICE_FULFIL,)),
    Tab("menu", _("Service menu"), "needs:menu", (Perm.CARE_VIEW,)),
    Tab("resources", _("Resource list"), "needs:resource_list", (Perm.CARE_VIEW,)),
    Tab("projects", _("Project list"), "needs:project_list", (Perm.CARE_VIEW,)),
    Tab("wishes", _("Micro-wishes"), "needs:wish_list", (Perm.CARE_VIEW,)),
    Tab("wall", _("Wish wall"), "needs:wish_wall", (Perm.CARE_VIEW, Perm.SERVICE_FULFIL, Perm.PARTY_MANAGE,
                                                      Perm.SELF_SERVICE)),
)
