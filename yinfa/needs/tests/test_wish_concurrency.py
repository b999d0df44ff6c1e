"""Two claims of the same wish at the same moment: exactly one wins (PostgreSQL: real concurrent transactions on two
connections). Both claimants have read the wish as published before either claims, so the conditional update of the
wish — and the one-active-claim constraint behind it — decides."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishStep
from yinfa.needs.services import wish_claims
from yinfa.needs.tests.wish_fixtures import S, scope_of, wish_world_fixture  # noqa: F401

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def claim_together(wish_pk, users):
    """Each user's thread reads the wish, waits for the others, then claims; returns results or exceptions."""
    results, start = {}, threading.Barrier(len(users), timeout=20)

    def run(user):
        try:
            wish = Wish.objects.select_related("person").get(pk=wish_pk)
            scope = scope_of(user)
            assert wish.status == S.PUBLISHED
            start.wait()
            results[user.username] = wish_claims.claim_wish(actor=user, scope=scope, wish=wish)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_claims_at_the_same_moment_exactly_one_wins(wx):
    wish = wx.wish_in(S.PUBLISHED)
    results = claim_together(wish.pk, [wx.volunteer, wx.volunteer2])
    winners = [r for r in results.values() if isinstance(r, WishClaim)]
    losers = [r for r in results.values() if not isinstance(r, WishClaim)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], ValidationError), losers
    assert "just claimed by someone else" in losers[0].messages[0]
    assert WishClaim.objects.filter(wish=wish).count() == 1
    claim = WishClaim.objects.get(wish=wish)
    assert claim.status == ClaimStatus.ACTIVE and claim.pk == winners[0].pk
    wish.refresh_from_db()
    assert wish.status == S.CLAIMED
    assert WishStep.objects.filter(wish=wish, to_status=S.CLAIMED).count() == 1


def test_many_claims_at_the_same_moment_still_make_one_claim(wx):
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user

    users = [wx.volunteer, wx.volunteer2, wx.staff] + [
        make_user(f"vol_many_{n}", role=Role.VOLUNTEER, node=wx.world.community_a) for n in range(3)]
    wish = wx.wish_in(S.PUBLISHED)
    results = claim_together(wish.pk, users)
    assert sum(isinstance(r, WishClaim) for r in results.values()) == 1, results
    assert all(isinstance(r, (WishClaim, ValidationError)) for r in results.values()), results
    assert WishClaim.objects.filter(wish=wish).count() == 1
