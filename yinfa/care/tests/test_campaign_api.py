"""The campaign API: the scope's campaigns with its coverage, one campaign with its coverage per organisation, the
scope's own tasks (filter by campaign and status), "not visited" and its undo; out of scope answers 404."""

import pytest

from yinfa.care.models import CampaignTask, TaskStatus
from yinfa.care.services import campaigns as services
from yinfa.care.tests.test_campaign_helpers import build_roster, opened, plan, scope_of
from yinfa.core.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    return build_roster(world)
CAMPAIGNS = "/api/care/campaigns/"
TASKS = "/api/care/campaign-tasks/"


def test_the_campaign_list_gives_the_scopes_own_coverage(world, roster):
    campaign = opened(world)
    plan(world, title="草稿")
    rows = login(world.county_a_admin).get(CAMPAIGNS).json()["results"]
    assert [(r["title"], r["status"], r["coverage"]["planned"]) for r in rows] == [
        ("草稿", "draft", 0), (campaign.title, "open", 3)]
    unit_rows = login(world.unit_a_admin).get(CAMPAIGNS, {"status": "open"}).json()["results"]
    assert [(r["id"], r["coverage"]["planned"], r["organisation"]["name"]) for r in unit_rows] == [
        (campaign.pk, 2, "甲县")]


def test_a_campaign_detail_has_its_coverage_per_organisation(world, roster):
    campaign = opened(world)
    services.skip_task(actor=world.county_a_admin, scope=scope_of(world.county_a_admin),
                       task=CampaignTask.objects.get(campaign=campaign, person=roster.lixiu), reason="住院")
    body = login(world.county_a_admin).get(f"{CAMPAIGNS}{campaign.pk}/").json()
    assert body["due_on"] == "2026-02-17" and body["criteria"]["groups"] == ["lixiu"]
    assert {(o["organisation"]["name"], o["planned"], o["skipped"], o["percent"]) for o in body["organisations"]} == {
        ("甲县财政局", 2, 1, 0), ("东门社区", 1, 0, 0)}


def test_the_task_list_holds_the_scopes_own_tasks_filtered_by_campaign_and_status(world, roster):
    campaign = opened(world)
    other = opened(world, groups=("dependent",))
    unit = login(world.unit_a_admin)
    names = {r["person"]["name"] for r in unit.get(TASKS, {"campaign": campaign.pk}).json()["results"]}
    assert names == {"离休甲", "离休失能"}
    assert len(unit.get(TASKS).json()["results"]) == 4
    community = login(world.community_a_admin).get(TASKS, {"campaign": campaign.pk}).json()["results"]
    assert [r["person"]["name"] for r in community] == ["外单位离休"]
    assert unit.get(TASKS, {"campaign": other.pk, "status": "done"}).json()["results"] == []
    assert unit.get(TASKS, {"status": "nonsense"}).status_code == 400


def test_not_visited_and_its_undo_through_the_api(world, roster):
    campaign = opened(world)
    task = CampaignTask.objects.get(campaign=campaign, person=roster.lixiu)
    client = login(world.unit_a_admin)
    assert client.post(f"{TASKS}{task.pk}/skip/", {}, content_type="application/json").status_code == 400
    body = client.post(f"{TASKS}{task.pk}/skip/", {"reason": "外出"}, content_type="application/json").json()
    assert (body["status"], body["reason"]) == ("skipped", "外出")
    assert client.post(f"{TASKS}{task.pk}/unskip/").json()["status"] == "pending"
    assert CampaignTask.objects.get(pk=task.pk).status == TaskStatus.PENDING


def test_out_of_scope_campaigns_and_tasks_answer_404(world, roster):
    campaign = opened(world)
    task = CampaignTask.objects.get(campaign=campaign, person=roster.lixiu)
    sibling = login(world.county_b_admin)
    assert sibling.get(f"{CAMPAIGNS}{campaign.pk}/").status_code == 404
    assert sibling.get(f"{TASKS}{task.pk}/").status_code == 404
    assert sibling.post(f"{TASKS}{task.pk}/skip/", {"reason": "x"}, content_type="application/json").status_code == 404
    assert sibling.get(CAMPAIGNS).json()["results"] == []
    community_task = CampaignTask.objects.get(campaign=campaign, person=roster.outside_unit)
    assert login(world.unit_a_admin).get(f"{TASKS}{community_task.pk}/").status_code == 404
