"""Small builders for the compliance tests: branches under a World's organisations, and meetings."""

import datetime
import itertools

from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.testing import make_node
from yinfa.partylife.models import Branch, Meeting, MeetingKind

_topics = itertools.count(1)


def make_branch(parent, name, *, opened_on=None, closed_on=None, kind=None):
    """A branch node under ``parent`` (its Branch row is created by the receiver), with its dates and kind."""
    node = make_node(parent, OrgKind.BRANCH, name)
    if opened_on or closed_on:
        OrgNode.objects.filter(pk=node.pk).update(opened_on=opened_on, closed_on=closed_on)
    if kind:
        Branch.objects.filter(pk=node.pk).update(kind=kind)
    return Branch.objects.select_related("node").get(pk=node.pk)


def make_meeting(branch, kind=MeetingKind.COMMITTEE, held_on=datetime.date(2026, 1, 10), *, counts_month=None,
                 counts_year=None, qualifies=True, topic=None):
    """A meeting as the meetings service leaves it: attendance recorded and minutes written unless told not."""
    meeting = Meeting(branch=branch, branch_path=branch.path, kind=kind, held_on=held_on,
                      topic=topic or f"甲县会议{next(_topics)}", counts_month=counts_month or 0,
                      counts_year=counts_year or 0, minutes="记录" if qualifies else "",
                      attendance_recorded=qualifies, qualifies=qualifies)
    meeting.save()
    return meeting
