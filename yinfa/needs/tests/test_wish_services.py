"""The micro-wish state machine: every allowed and every refused transition, who may act, the claim period from the
system setting, the expiry job, the photo, the cost cap and the walls."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from yinfa.core import system_settings
from yinfa.core.models import AuditAction, AuditEvent, Notification
from yinfa.needs.masking import mask_name
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishPhoto, WishStep
from yinfa.needs.services import wish_claims
from yinfa.needs.services import wishes as services
from yinfa.needs.tasks_wishes import expire_wish_claims
from yinfa.needs.tests.wish_fixtures import STATES, S, notified_fixture, photo, scope_of, wish_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ACTION_NAMES = ["publish", "reject", "withdraw", "claim", "release", "fulfil", "confirm"]


def actor_for(wx, action):
    """The one who may take ``action`` when the state allows it."""
    return {"publish": wx.staff, "reject": wx.staff, "withdraw": wx.staff, "claim": wx.volunteer2,
            "release": wx.volunteer, "fulfil": wx.volunteer, "confirm": wx.retiree}[action]


def do(action, wish, actor):
    scope = scope_of(actor)
    wish = Wish.objects.select_related("person").get(pk=wish.pk)
    if action == "publish":
        return services.publish_wish(actor=actor, scope=scope, wish=wish)
    if action == "reject":
        return services.reject_wish(actor=actor, scope=scope, wish=wish, reason="不符合条件")
    if action == "withdraw":
        return services.withdraw_wish(actor=actor, scope=scope, wish=wish, reason="需求已消失")
    if action == "claim":
        return wish_claims.claim_wish(actor=actor, scope=scope, wish=wish)
    if action == "release":
        return wish_claims.release_claim(actor=actor, scope=scope, wish=wish, reason="临时出差")
    if action == "fulfil":
        return wish_claims.fulfil_wish(actor=actor, scope=scope, wish=wish, note="已送到", photo=photo())
    return wish_claims.confirm_wish(actor=actor, scope=scope, wish=wish, words="很满意")


EXPECTED = {"publish": S.PUBLISHED, "reject": S.REJECTED, "withdraw": S.WITHDRAWN, "claim": S.CLAIMED,
            "release": S.PUBLISHED, "fulfil": S.FULFILLED, "confirm": S.CONFIRMED}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_each_action_in_each_state_moves_the_wish_or_is_refused_with_nothing_written(wx, action, state):
    wish = wx.wish_in(state)
    steps, audits = WishStep.objects.count(), AuditEvent.objects.count()
    allowed = state in services.ACTIONS[action][0]
    if allowed:
        do(action, wish, actor_for(wx, action))
        wish.refresh_from_db()
        assert wish.status == EXPECTED[action]
        step = WishStep.objects.filter(wish=wish).order_by("-pk").first()
        assert (step.from_status, step.to_status) == (state, EXPECTED[action])
        assert (state, EXPECTED[action]) in services.TRANSITIONS
        assert AuditEvent.objects.filter(object_id=str(wish.pk), object_type="needs.wish").count() >= 2
        assert AuditEvent.objects.count() > audits
    else:
        with pytest.raises(ValidationError) as refused:
            do(action, wish, actor_for(wx, action))
        assert "status" in refused.value.message_dict
        wish.refresh_from_db()
        assert wish.status == state
        assert WishStep.objects.count() == steps and AuditEvent.objects.count() == audits


def test_the_transition_table_lists_exactly_the_moves_of_the_actions():
    assert services.TRANSITIONS == {
        ("", S.COLLECTED): {"staff"},
        (S.COLLECTED, S.PUBLISHED): {"staff"}, (S.COLLECTED, S.REJECTED): {"staff"},
        (S.COLLECTED, S.WITHDRAWN): {"staff"}, (S.PUBLISHED, S.WITHDRAWN): {"staff"},
        (S.CLAIMED, S.WITHDRAWN): {"staff"}, (S.PUBLISHED, S.CLAIMED): {"claimer"},
        (S.CLAIMED, S.PUBLISHED): {"the claimant", "system"}, (S.CLAIMED, S.FULFILLED): {"the claimant"},
        (S.FULFILLED, S.CONFIRMED): {"the beneficiary", "staff"},
    }


# Who may not act, in a state that allows the action: PermissionDenied, nothing written.
WRONG_ACTORS = [
    ("publish", S.COLLECTED, "volunteer"), ("publish", S.COLLECTED, "retiree"),
    ("publish", S.COLLECTED, "staff_b"), ("publish", S.COLLECTED, "secretary"),
    ("reject", S.COLLECTED, "volunteer"), ("reject", S.COLLECTED, "staff_b"),
    ("withdraw", S.PUBLISHED, "volunteer"), ("withdraw", S.CLAIMED, "retiree"), ("withdraw", S.PUBLISHED, "staff_b"),
    ("claim", S.PUBLISHED, "retiree"),  # the beneficiary's own wish
    ("claim", S.PUBLISHED, "unit_staff"),  # a role that does not claim
    ("claim", S.PUBLISHED, "volunteer_b"),  # not on a wall of their scope
    ("claim", S.PUBLISHED, "staff_b"),
    ("release", S.CLAIMED, "volunteer2"), ("release", S.CLAIMED, "staff"),
    ("fulfil", S.CLAIMED, "volunteer2"), ("fulfil", S.CLAIMED, "staff"), ("fulfil", S.CLAIMED, "retiree"),
    ("confirm", S.FULFILLED, "other_retiree"), ("confirm", S.FULFILLED, "volunteer"),
    ("confirm", S.FULFILLED, "staff_b"),
]


@pytest.mark.parametrize(("action", "state", "who"), WRONG_ACTORS)
def test_someone_who_may_not_take_the_step_is_refused(wx, action, state, who):
    wish = wx.wish_in(state)
    steps = WishStep.objects.count()
    with pytest.raises(PermissionDenied):
        do(action, wish, getattr(wx, who))
    wish.refresh_from_db()
    assert wish.status == state and WishStep.objects.count() == steps


def test_staff_confirm_for_the_person_by_proxy_and_the_person_confirms_in_person(wx):
    by_staff = wx.wish_in(S.FULFILLED)
    wish_claims.confirm_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=by_staff, words="老人说谢谢")
    by_staff.refresh_from_db()
    assert by_staff.confirmed_by_proxy is True and by_staff.beneficiary_words == "老人说谢谢"
    in_person = wx.wish_in(S.FULFILLED)
    wish_claims.confirm_wish(actor=wx.retiree, scope=scope_of(wx.retiree), wish=in_person)
    in_person.refresh_from_db()
    assert in_person.confirmed_by_proxy is False and in_person.confirmed_at is not None


def test_a_party_branch_claims_a_county_wish_in_its_own_name_and_the_collector_is_told(wx, notified):
    wish = wx.wish_in(S.PUBLISHED, wall=wx.world.county_a)
    with notified(execute=True):
        claim = wish_claims.claim_wish(actor=wx.secretary, scope=scope_of(wx.secretary), wish=wish, org=wx.branch)
    assert claim.claimant_name == "财政局离退休党支部" and claim.claimant_org == wx.branch
    assert Notification.objects.filter(recipient=wx.county_staff, title__contains="财政局离退休党支部").exists()


def test_a_unit_branch_does_not_see_a_communitys_wall(wx):
    with pytest.raises(PermissionDenied):
        wish_claims.claim_wish(actor=wx.secretary, scope=scope_of(wx.secretary), wish=wx.wish_in(S.PUBLISHED))


def test_a_member_claims_in_their_own_name(wx):
    claim = wish_claims.claim_wish(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=wx.wish_in(S.PUBLISHED))
    assert claim.claimant_name == "张志愿" and claim.claimant_org is None


def test_a_retiree_claims_a_neighbours_wish_in_their_own_name_only(wx):
    wish = wx.wish_in(S.PUBLISHED)
    assert wish_claims.claim_org_choices(scope_of(wx.other_retiree)) == []
    with pytest.raises(ValidationError):
        wish_claims.claim_wish(actor=wx.other_retiree, scope=scope_of(wx.other_retiree), wish=wish,
                               org=wx.world.community_a)
    claim = wish_claims.claim_wish(actor=wx.other_retiree, scope=scope_of(wx.other_retiree), wish=wish)
    assert claim.claimant_name == "老李" and claim.claimant_org is None


def test_an_organisation_outside_the_claimants_scope_is_refused(wx):
    wish = wx.wish_in(S.PUBLISHED, wall=wx.world.county_a)
    with pytest.raises(ValidationError) as refused:
        wish_claims.claim_wish(actor=wx.secretary, scope=scope_of(wx.secretary), wish=wish, org=wx.world.unit_b)
    assert "org" in refused.value.message_dict
    wish.refresh_from_db()
    assert wish.status == S.PUBLISHED and not WishClaim.objects.exists()


def test_a_claimed_wish_tells_the_late_claimant_it_was_just_taken(wx):
    wish = wx.wish_in(S.PUBLISHED)
    stale = Wish.objects.select_related("person").get(pk=wish.pk)
    wish_claims.claim_wish(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=wish)
    with pytest.raises(ValidationError) as refused:
        wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=stale)  # read before
    assert "just claimed by someone else" in refused.value.messages[0]
    assert WishClaim.objects.count() == 1 and WishClaim.objects.get().claimant == wx.volunteer


def test_the_one_active_claim_constraint_backs_the_conditional_update(wx):
    wish = wx.wish_in(S.CLAIMED)
    Wish.objects.filter(pk=wish.pk).update(status=S.PUBLISHED)  # a wish that lost track of its claim
    wish.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=wish)
    assert "just claimed by someone else" in refused.value.messages[0]
    wish.refresh_from_db()
    assert wish.status == S.PUBLISHED and WishClaim.objects.count() == 1
    with pytest.raises(IntegrityError):
        WishClaim.objects.create(wish=wish, claimant=wx.volunteer2, claimant_name="x", fulfil_by=datetime.date.today())


def test_the_claim_period_comes_from_the_system_setting(wx):
    today = datetime.date.today()
    first = wish_claims.claim_wish(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=wx.wish_in(S.PUBLISHED))
    assert first.fulfil_by == today + datetime.timedelta(days=14)
    system_settings.update_settings(actor=wx.world.system_admin, values={system_settings.WISH_CLAIM_DAYS: 30})
    second = wish_claims.claim_wish(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=wx.wish_in(S.PUBLISHED))
    assert second.fulfil_by == today + datetime.timedelta(days=30)


def test_withdrawing_a_claimed_wish_releases_the_claim_and_tells_the_claimant(wx, notified):
    wish = wx.wish_in(S.CLAIMED)
    with notified(execute=True):
        services.withdraw_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=wish, reason="老人已搬去外地")
    claim = WishClaim.objects.get(wish=wish)
    assert claim.status == ClaimStatus.RELEASED and claim.ended_at is not None
    note = Notification.objects.get(recipient=wx.volunteer, title__contains="withdrawn")
    assert note.body == "老人已搬去外地"


def test_reasons_are_required_to_turn_down_and_withdraw(wx):
    for run in (services.reject_wish, services.withdraw_wish):
        wish = wx.wish_in(S.COLLECTED)
        with pytest.raises(ValidationError) as refused:
            run(actor=wx.staff, scope=scope_of(wx.staff), wish=wish, reason="  ")
        assert "reason" in refused.value.message_dict


def test_giving_up_puts_the_wish_back_on_the_wall_for_another_claimant(wx):
    wish = wx.wish_in(S.CLAIMED)
    wish_claims.release_claim(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=wish)
    assert WishClaim.objects.get(wish=wish).status == ClaimStatus.RELEASED
    again = wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2),
                                   wish=Wish.objects.select_related("person").get(pk=wish.pk))
    assert again.status == ClaimStatus.ACTIVE and WishClaim.objects.filter(wish=wish).count() == 2


# --- fulfilment and the photo -------------------------------------------------------------------------------------

def test_fulfilment_needs_a_note_and_a_photo_that_is_an_image(wx):
    wish = wx.wish_in(S.CLAIMED)
    scope = scope_of(wx.volunteer)
    with pytest.raises(ValidationError) as refused:
        wish_claims.fulfil_wish(actor=wx.volunteer, scope=scope, wish=wish, note="", photo=None)
    assert set(refused.value.message_dict) == {"note", "photo"}
    fake = photo("done.png", b"%PDF-1.4 not an image at all")
    with pytest.raises(ValidationError) as refused:
        wish_claims.fulfil_wish(actor=wx.volunteer, scope=scope, wish=wish, note="送到了", photo=fake)
    assert "image" in refused.value.message_dict["photo"][0]
    wish.refresh_from_db()
    assert wish.status == S.CLAIMED and not WishPhoto.objects.exists()


def test_fulfilment_keeps_the_photo_and_tells_the_collector_and_the_person(wx, notified):
    with notified(execute=True):
        wish = wx.wish_in(S.FULFILLED)
    claim = WishClaim.objects.get(wish=wish)
    row = WishPhoto.objects.get(wish=wish)
    assert row.claim == claim and row.content_type == "image/png" and row.file.name.endswith(".png")
    assert "done" not in row.file.name  # the stored name never keeps the original one
    assert claim.status == ClaimStatus.FULFILLED and claim.fulfilment_note == "送去老花镜一副"
    assert Notification.objects.filter(recipient=wx.retiree, title__contains="fulfilled").exists()
    assert Notification.objects.filter(recipient=wx.staff, title__contains="fulfilled").exists()


# --- the expiry job -----------------------------------------------------------------------------------------------

def test_claims_not_fulfilled_in_time_expire_and_the_wish_returns_to_the_wall_once(wx, notified):
    overdue = wx.wish_in(S.CLAIMED)
    on_time = wx.wish_in(S.CLAIMED, claimant=wx.volunteer2)
    WishClaim.objects.filter(wish=overdue).update(fulfil_by=datetime.date.today() - datetime.timedelta(days=1))
    WishClaim.objects.filter(wish=on_time).update(fulfil_by=datetime.date.today())
    with notified(execute=True):
        assert wish_claims.expire_claims() == 1
    overdue.refresh_from_db()
    on_time.refresh_from_db()
    assert overdue.status == S.PUBLISHED and on_time.status == S.CLAIMED
    assert WishClaim.objects.get(wish=overdue).status == ClaimStatus.EXPIRED
    assert WishStep.objects.filter(wish=overdue, to_status=S.PUBLISHED, actor=None).count() == 1
    assert Notification.objects.filter(recipient=wx.volunteer, title__contains="expired").count() == 1
    assert Notification.objects.filter(recipient=wx.staff, title__contains="expired").count() == 1
    with notified(execute=True):
        assert wish_claims.expire_claims() == 0  # idempotent
        assert expire_wish_claims.call() == 0  # the periodic task runs the same
    assert Notification.objects.filter(recipient=wx.volunteer, title__contains="expired").count() == 1
    assert WishStep.objects.filter(wish=overdue, to_status=S.PUBLISHED, actor=None).count() == 1


def test_the_expiry_is_a_registered_periodic_job_every_six_hours():
    from yinfa.core.scheduling import REGISTRY, discover

    discover()
    job = REGISTRY["wish_claim_expiry"]
    assert job.every == datetime.timedelta(hours=6)


def test_an_expired_claim_leaves_the_wish_claimable_again(wx):
    wish = wx.wish_in(S.CLAIMED)
    WishClaim.objects.filter(wish=wish).update(fulfil_by=datetime.date.today() - datetime.timedelta(days=3))
    expire_wish_claims.call()
    claim = wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2),
                                   wish=Wish.objects.select_related("person").get(pk=wish.pk))
    assert claim.status == ClaimStatus.ACTIVE


# --- collecting ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cost", "message"), [("0", "more than ¥0"), ("-5", "more than ¥0"),
                                                ("2000.01", "at most ¥2,000"), ("", "estimated cost")])
def test_the_cost_must_be_positive_and_small(wx, cost, message):
    with pytest.raises(ValidationError) as refused:
        wx.collect(estimated_cost=cost)
    assert message in refused.value.message_dict["estimated_cost"][0]
    assert not Wish.objects.exists()


def test_a_wish_at_the_cap_is_accepted_and_published_to_the_community_by_default(wx):
    wish = wx.collect(estimated_cost=Decimal("2000"))
    assert wish.wall == wx.world.community_a and wish.wall_path == wx.world.community_a.path
    assert wish.collected_by == wx.staff and wish.status == S.COLLECTED
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="needs.wish")
    assert created.personal_data is True


def test_the_walls_offered_are_the_persons_community_and_those_above_it_within_the_scope(wx):
    county = scope_of(wx.county_staff)
    names = [n.name for n in services.wall_choices(county, wx.person)]
    assert names[:3] == ["东门社区", "城关镇", "甲县财政局"] and names[-1] == "甲县"
    assert [n.name for n in services.wall_choices(scope_of(wx.staff), wx.person)] == ["东门社区"]
    wish = services.collect_wish(actor=wx.county_staff, scope=county, person=wx.person, title="轮椅", reason="行动不便",
                                 estimated_cost="800", wall=wx.world.county_a)
    assert wish.wall == wx.world.county_a
    with pytest.raises(ValidationError) as refused:
        services.collect_wish(actor=wx.staff, scope=scope_of(wx.staff), person=wx.person, title="轮椅",
                              reason="行动不便", estimated_cost="800", wall=wx.world.street_a)
    assert "wall" in refused.value.message_dict


def test_no_wish_for_someone_who_died_or_outside_the_scope(wx):
    wx.other_person.deceased_on = datetime.date(2025, 1, 1)
    wx.other_person.save()
    with pytest.raises(ValidationError) as refused:
        wx.collect(person=wx.other_person)
    assert "person" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.collect_wish(actor=wx.staff_b, scope=scope_of(wx.staff_b), person=wx.person, title="x",
                              reason="y", estimated_cost="10")
    with pytest.raises(PermissionDenied):
        services.collect_wish(actor=wx.volunteer, scope=scope_of(wx.volunteer), person=wx.person, title="x",
                              reason="y", estimated_cost="10")


def test_a_wish_from_a_visit_must_be_a_visit_of_the_same_person(wx):
    wish = wx.collect(source_visit=wx.visit())
    assert wish.source_visit is not None
    with pytest.raises(ValidationError) as refused:
        wx.collect(source_visit=wx.visit(person=wx.other_person))
    assert "source_visit" in refused.value.message_dict


def test_collecting_asks_the_walls_staff_to_review(wx, notified):
    with notified(execute=True):
        wx.collect()
    # the collector is the community's only administrator: nobody else to tell there
    assert not Notification.objects.filter(recipient=wx.staff).exists()
    with notified(execute=True):
        services.collect_wish(actor=wx.county_staff, scope=scope_of(wx.county_staff), person=wx.person, title="x",
                              reason="y", estimated_cost="10")
    assert Notification.objects.filter(recipient=wx.staff, title__contains="awaits review").exists()


# --- masking ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "masked"), [("王国华", "王*华"), ("李四", "李*"), ("欧阳晓峰", "欧**峰"),
                                              ("王", "王*"), ("", ""), (" 张 三 ", "张*")])
def test_names_are_partly_hidden(name, masked):
    assert mask_name(name) == masked
