"""The notification centre: own notifications only, opening marks read, mark all read, the header count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.core.models import Notification
from yinfa.core.services.notifications import notify
from yinfa.core.testing import login

pytestmark = pytest.mark.django_db

LIST = reverse("core:notification_list")
READ_ALL = reverse("core:notification_read_all")


def note(user, title="提醒", url="", **values):
    return Notification.objects.create(recipient=user, title=title, url=url, **values)


def open_url(n):
    return reverse("core:notification_open", args=[n.pk])


def listed_ids(response):
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'href="/notifications/(\d+)/open/"', response.content.decode())]


def test_the_list_shows_only_the_accounts_own_notifications(world):
    mine = note(world.county_a_admin, title="我的通知")
    theirs = note(world.county_b_admin, title="别人的通知")
    response = login(world.county_a_admin).get(LIST)
    assert listed_ids(response) == [mine.pk]
    assert "别人的通知" not in response.content.decode()
    assert theirs.pk not in listed_ids(login(world.county_a_admin).get(LIST))


def test_unread_notifications_are_highlighted_and_newest_come_first(world):
    old = note(world.county_a_admin, title="旧")
    read = note(world.county_a_admin, title="已读")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    new = note(world.county_a_admin, title="新")
    response = login(world.county_a_admin).get(LIST)
    assert listed_ids(response) == [new.pk, read.pk, old.pk]
    assert response.content.decode().count('yf-unread"') == 2


def test_someone_elses_notification_answers_404_and_stays_unread(world):
    theirs = note(world.county_b_admin, url="/org/")
    assert login(world.county_a_admin).get(open_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_marks_read_and_follows_a_local_link(world):
    n = note(world.county_a_admin, url="/org/")
    response = login(world.county_a_admin).get(open_url(n))
    assert response.status_code == 302 and response["Location"] == "/org/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                 "javascript:alert(1)", ""])
def test_a_link_that_would_leave_the_site_is_not_followed(world, url):
    n = note(world.county_a_admin, url=url)
    response = login(world.county_a_admin).get(open_url(n))
    assert response.status_code == 302 and response["Location"] == LIST


def test_mark_all_read_marks_only_the_accounts_own(world):
    mine = [note(world.county_a_admin) for _ in range(3)]
    theirs = note(world.county_b_admin)
    client = login(world.county_a_admin)
    assert client.get(READ_ALL).status_code == 405
    response = client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_shows_the_unread_count(world):
    for _ in range(2):
        note(world.county_a_admin)
    client = login(world.county_a_admin)
    html = client.get(reverse("core:home")).content.decode()
    assert re.search(r'data-testid="unread-count">2<', html)
    client.post(READ_ALL)
    assert 'data-testid="unread-count"' not in client.get(reverse("core:home")).content.decode()


def test_notify_delivers_on_commit_and_the_list_shows_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.county_a_admin], title="导出已完成", body="请下载", url="/jobs/")
    response = login(world.county_a_admin).get(LIST)
    assert "导出已完成" in response.content.decode()


def test_the_empty_list_says_what_will_appear(world):
    response = login(world.no_role).get(LIST)
    assert response.status_code == 200
    assert 'data-testid="notifications-empty"' in response.content.decode()


def test_the_list_pages_by_keyset(world):
    created = [note(world.county_a_admin, title=f"n{i}") for i in range(35)]
    client = login(world.county_a_admin)
    first = client.get(LIST)
    first_ids = listed_ids(first)
    assert len(first_ids) == 30
    next_url = re.search(r'hx-get="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(next_url, headers={"HX-Request": "true"})
    assert b"<html" not in second.content
    assert set(first_ids) | set(listed_ids(second)) == {n.pk for n in created}
    assert not set(first_ids) & set(listed_ids(second))


def test_the_list_runs_the_same_number_of_queries_for_few_and_many_notifications(world):
    client = login(world.county_a_admin)
    for i in range(2):
        note(world.county_a_admin, title=f"n{i}")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(25):
        note(world.county_a_admin, title=f"m{i}", body="正文")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(listed_ids(response)) == 27
    assert len(many) == len(few)


def test_many_notifications_are_written_in_one_insert_after_commit(world, django_capture_on_commit_callbacks):
    from yinfa.core.services.notifications import notify_many

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_many([{"recipients": [world.county_a_admin, world.unit_a_admin], "title": "预警一", "url": "/a/"},
                     {"recipients": [world.unit_a_admin.pk, None], "title": "预警二", "obj": world.unit_a}])
    assert Notification.objects.count() == 0 and len(callbacks) == 1
    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()
    assert len(queries) == 1
    rows = sorted(Notification.objects.values_list("recipient__username", "title", "object_id"))
    assert rows == [("a_admin", "预警一", ""), ("a_unit", "预警一", ""), ("a_unit", "预警二", str(world.unit_a.pk))]
