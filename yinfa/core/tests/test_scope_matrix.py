"""The data-scope matrix: every URL pattern and API route, requested by users of the sibling county.

A route that takes an object must appear in OBJECT_ROUTES (the test fails for a new one that does not),
so no view can be added without proving that it answers 404 for objects outside the scope.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yinfa.core import audit
from yinfa.core.access import PUBLIC, SCOPE_CHECKED, declaration_of
from yinfa.core.models import AuditAction, Job, Notification, OrgNode, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.testing import World, login, make_user

pytestmark = pytest.mark.django_db


def named_routes(resolver=None, namespace=""):
    """(full name, pattern, callback) for every named URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def route_kwargs(pattern):
    return set(pattern.pattern.converters) if hasattr(pattern.pattern, "converters") else set(
        re.findall(r"\(\?P<(\w+)>", str(pattern.pattern)))


class Objects:
    """Objects inside county A, invisible to everyone working in county B."""

    def __init__(self, world):
        self.world = world
        self.node = world.unit_a
        self.user = world.unit_a_admin
        self.grant = RoleGrant.objects.get(user=world.unit_a_admin)
        self.audit_event = audit.record(AuditAction.UPDATE, actor=world.county_a_admin, obj=world.unit_a,
                                        scope_path=world.county_a.path)
        self.notification = Notification.objects.create(recipient=world.county_a_admin, title="甲县通知")
        self.job = Job.objects.create(kind="export", title="甲县导出", owner=world.county_a_admin,
                                      scope_path=world.county_a.path)
        self.person = None
        try:
            from yinfa.people.tests.factories import make_person
        except ImportError:
            return
        self.person = make_person(unit=world.unit_a, community=world.community_a, name="甲县老同志")


# route name -> (kwargs builder, which sibling user asks)
OBJECT_ROUTES = {
    "core:org_children": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:org_detail": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:org_edit": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:org_move": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:org_close": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:org_reopen": (lambda o: {"pk": o.node.pk}, "admin_b"),
    "core:user_detail": (lambda o: {"pk": o.user.pk}, "admin_b"),
    "core:user_edit": (lambda o: {"pk": o.user.pk}, "admin_b"),
    "core:user_set_active": (lambda o: {"pk": o.user.pk}, "admin_b"),
    "core:user_reset_password": (lambda o: {"pk": o.user.pk}, "admin_b"),
    "core:user_reset_totp": (lambda o: {"pk": o.user.pk}, "security_b"),
    "core:grant_create": (lambda o: {"pk": o.user.pk}, "admin_b"),
    "core:grant_revoke": (lambda o: {"pk": o.grant.pk}, "admin_b"),
    "core:audit_detail": (lambda o: {"pk": o.audit_event.pk}, "audit_b"),
    "core:notification_open": (lambda o: {"pk": o.notification.pk}, "admin_b"),
    "core:job_detail": (lambda o: {"uid": o.job.uid}, "admin_b"),
    "core:job_download": (lambda o: {"uid": o.job.uid}, "admin_b"),
}


def _app_routes():
    """Routes registered by each app in ``yinfa/<app>/tests/scope_routes*.py`` (a ROUTES dict like
    OBJECT_ROUTES, whose builders may create county-A objects from ``o.world`` and ``o.person``)."""
    import importlib
    import pkgutil
    from pathlib import Path

    import yinfa

    routes, api_routes = {}, {}
    for app_dir in sorted(Path(yinfa.__file__).parent.iterdir()):
        tests_dir = app_dir / "tests"
        if not tests_dir.is_dir():
            continue
        for module in pkgutil.iter_modules([str(tests_dir)]):
            if module.name.startswith("scope_routes"):
                imported = importlib.import_module(f"yinfa.{app_dir.name}.tests.{module.name}")
                routes.update(imported.ROUTES)
                api_routes.update(getattr(imported, "API_ROUTES", {}))
    return routes, api_routes


_ROUTES_OF_APPS, _API_ROUTES_OF_APPS = _app_routes()
OBJECT_ROUTES.update(_ROUTES_OF_APPS)
API_OBJECT_KWARGS = {
    "orgnode": lambda o: {"pk": o.node.pk},
    "user": lambda o: {"pk": o.user.pk},
    "person": lambda o: {"pk": o.person.pk},
}


def _api_builder(build):
    """An app's API builder returns the route kwargs, or the object itself (its pk is the kwarg)."""
    def kwargs(o):
        made = build(o)
        return made if isinstance(made, dict) else {"pk": made.pk}
    return kwargs


# API routes registered by the apps: basename -> builder.
API_OBJECT_KWARGS.update({name: _api_builder(builder) for name, builder in _API_ROUTES_OF_APPS.items()})
# Things that must never appear on any page or API answer given to county B.
COUNTY_A_MARKERS = ("甲县财政局", "东门社区", "a_unit", "a_comm", "甲县老同志", "甲县通知", "甲县导出")


@pytest.fixture
def matrix(db):
    world = World.build()
    objects = Objects(world)
    users = {
        "admin_b": world.county_b_admin,
        "security_b": make_user("sec_b", role=Role.SECURITY_ADMIN, node=world.county_b, totp=True),
        "audit_b": make_user("aud_b", role=Role.AUDIT_ADMIN, node=world.county_b, totp=True),
        "system_b": make_user("sys_b", role=Role.SYSTEM_ADMIN, node=world.county_b, totp=True),
        "unit_b": make_user("unit_b", role=Role.UNIT_ADMIN, node=world.unit_b),
    }
    return world, objects, users


def _api_kwargs(name, objects):
    base = name.rsplit("-", 1)[0]
    builder = API_OBJECT_KWARGS.get(base)
    return builder(objects) if builder else None


def test_every_route_that_takes_an_object_is_in_the_matrix():
    uncovered = []
    for name, pattern in named_routes():
        kwargs = route_kwargs(pattern) - {"format"}
        if not kwargs or name in OBJECT_ROUTES:
            continue
        if name.rsplit("-", 1)[0] in API_OBJECT_KWARGS:
            continue
        uncovered.append(name)
    assert uncovered == [], f"add these routes to OBJECT_ROUTES: {uncovered}"


def test_every_route_declares_its_access():
    undeclared = [name for name, pattern in named_routes() if declaration_of(pattern.callback)[0] is None]
    assert undeclared == []


def test_a_sibling_county_user_gets_404_for_every_object_outside_scope(matrix):
    world, objects, users = matrix
    failures = []
    checked = []
    for name, pattern in named_routes():
        if name in OBJECT_ROUTES:
            build, who = OBJECT_ROUTES[name]
            kwargs = build(objects)
            client = login(users[who])
        else:
            kwargs = _api_kwargs(name, objects)
            if kwargs is None or not route_kwargs(pattern) - {"format"}:
                continue
            client = login(users["admin_b"])
        url = reverse(name, kwargs={k: v for k, v in kwargs.items() if k in route_kwargs(pattern)})
        get, post = client.get(url), client.post(url, {})
        statuses = (get.status_code, post.status_code)
        leaked = any(m.encode() in r.content for r in (get, post) for m in COUNTY_A_MARKERS)
        if 404 not in statuses or any(s < 400 and s not in (302,) for s in statuses) or leaked:
            failures.append((name, url, statuses, leaked))
        if 302 in statuses:
            failures.append((name, url, statuses, "redirected instead of 404"))
        checked.append(name)
    api_routes = [name for name in checked if name not in OBJECT_ROUTES]
    assert set(OBJECT_ROUTES) <= set(checked)
    assert {"orgnode-detail", "user-detail", "person-detail"} & set(api_routes), api_routes
    assert failures == []


def _list_routes():
    for name, pattern in named_routes():
        declared, _perms = declaration_of(pattern.callback)
        if route_kwargs(pattern) - {"format"} or declared == PUBLIC:
            continue
        yield name


@pytest.mark.parametrize("who", ["admin_b", "security_b", "audit_b", "system_b", "unit_b"])
def test_lists_exports_and_searches_never_show_the_sibling_county(matrix, who):
    world, objects, users = matrix
    client = login(users[who])
    for name in _list_routes():
        url = reverse(name)
        for response in (client.get(url), client.get(url, {"q": "甲县"}), client.get(url, {"q": "a_"})):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for marker in COUNTY_A_MARKERS:
                assert marker.encode() not in body, f"{name} shows {marker} to {who}"
            if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
                _assert_workbook_clean(body, name, who)


def _assert_workbook_clean(body, name, who):
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                assert not any(m in str(cell) for m in COUNTY_A_MARKERS), f"{name} export shows {cell} to {who}"


def test_an_account_without_a_role_sees_nothing(matrix):
    world, objects, users = matrix
    client = login(world.no_role)
    for name, pattern in named_routes():
        declared, _perms = declaration_of(pattern.callback)
        if declared != SCOPE_CHECKED or route_kwargs(pattern) - {"format"}:
            continue
        response = client.get(reverse(name))
        assert response.status_code in (403, 405), f"{name} answered {response.status_code} to a user without role"


def test_the_same_objects_are_visible_inside_the_scope(matrix):
    """The control: the county A administrator does reach the objects the sibling cannot."""
    world, objects, users = matrix
    client = login(world.county_a_admin)
    assert client.get(reverse("core:org_detail", kwargs={"pk": objects.node.pk})).status_code == 200
    assert client.get(reverse("core:user_detail", kwargs={"pk": objects.user.pk})).status_code == 200
    assert OrgNode.objects.visible_to(None).count() == 0


def test_an_unmarked_view_is_refused_by_the_middleware(rf):
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    from yinfa.core.middleware import AccessControlMiddleware

    def naked_view(request):
        return HttpResponse("secret")

    middleware = AccessControlMiddleware(lambda r: HttpResponse())
    with pytest.raises(PermissionDenied):
        middleware.process_view(rf.get("/"), naked_view, (), {})
