"""Order, resource, menu and project routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): county-A
entries kept by 东门社区 and an order of the matrix's county-A person, asked for by county B."""

import datetime


def _community_admin_scope(o):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=o.world.community_a_admin))


def item(o):
    existing = getattr(o, "needs_item", None)
    if existing is None:
        from yinfa.needs.tests.order_fixtures import make_item

        existing = o.needs_item = make_item(o.world.community_a, name="东门社区上门理发")
    return existing


def resource(o):
    existing = getattr(o, "needs_resource", None)
    if existing is None:
        from yinfa.needs.tests.order_fixtures import make_resource

        existing = o.needs_resource = make_resource(o.world.community_a, name="东门社区理发志愿队",
                                                    community=o.world.community_a, place="东门社区活动室")
    return existing


def project(o):
    existing = getattr(o, "needs_project", None)
    if existing is None:
        from yinfa.needs.models import Frequency, ServiceProject

        node = o.world.community_a
        existing = o.needs_project = ServiceProject.objects.create(
            node=node, node_path=node.path, title="东门社区每月理发", item=item(o), provider=resource(o),
            frequency=Frequency.MONTHLY, beneficiaries="甲县老同志", starts_on=datetime.date(2026, 1, 1))
    return existing


def order(o):
    """An order placed by the community for the matrix's county-A person, filed under the project."""
    existing = getattr(o, "needs_order", None)
    if existing is None:
        from yinfa.needs.models import OrderChannel
        from yinfa.needs.services.orders import create_order

        existing = o.needs_order = create_order(
            actor=o.world.community_a_admin, scope=_community_admin_scope(o), person=o.person, item=item(o),
            channel=OrderChannel.STAFF, values={"details": "甲县老同志想理发", "project": project(o)})
    return existing


def _pk(build):
    return lambda o: {"pk": build(o).pk}


ROUTES = {
    "needs:order_detail": (_pk(order), "admin_b"),
    "needs:order_accept": (_pk(order), "admin_b"),
    "needs:order_assign": (_pk(order), "admin_b"),
    "needs:order_done": (_pk(order), "admin_b"),
    "needs:order_confirm": (_pk(order), "admin_b"),
    "needs:order_cancel": (_pk(order), "admin_b"),
    "needs:order_reject": (_pk(order), "admin_b"),
    "needs:resource_edit": (_pk(resource), "admin_b"),
    "needs:menu_edit": (_pk(item), "admin_b"),
    "needs:project_detail": (_pk(project), "admin_b"),
    "needs:project_edit": (_pk(project), "admin_b"),
}

API_ROUTES = {"resource": resource, "service-item": item, "service-project": project, "service-order": order}
