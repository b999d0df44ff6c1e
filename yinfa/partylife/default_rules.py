"""The default rules of organisational life (domain.md; 中国共产党支部工作条例（试行）). The data migration
0002_default_rules installs them; ``ensure_default_rules`` puts them back into an empty table (tests that
flush the database, a new deployment started without migrations' data)."""

# A functional branch (功能型党支部) holds its members' activities, not their organisational relationship: it keeps
# the themed party day and the party lecture; the meetings of the members' own branches are not asked of it.
OWN_BRANCHES = ("community", "joint", "unit")
DEFAULT_RULES = (
    # name, meeting kind, frequency, grace days, branch kinds (() = every kind)
    ("党员大会每季度至少召开一次", "general", "quarter", 0, OWN_BRANCHES),
    ("支部委员会每月召开一次", "committee", "month", 0, OWN_BRANCHES),
    ("党小组会每月召开一次", "group", "month", 0, OWN_BRANCHES),
    ("党课每季度至少一次", "lecture", "quarter", 0, ()),
    ("主题党日每月一次", "theme_day", "month", 0, ()),
    ("组织生活会每年至少一次", "life_meeting", "year", 0, OWN_BRANCHES),
    ("民主评议党员每年一次", "evaluation", "year", 0, OWN_BRANCHES),
    ("谈心谈话每年至少一次", "heart_talk", "year", 0, OWN_BRANCHES),
)


def ensure_default_rules():
    """Install the default rules when there are no rules at all; returns how many were created."""
    from yinfa.partylife.models import ComplianceRule

    if ComplianceRule.objects.exists():
        return 0
    rules = ComplianceRule.objects.bulk_create([
        ComplianceRule(name=name, meeting_kind=kind, frequency=frequency, grace_days=grace, sort_order=n,
                       branch_kinds=sorted(kinds))
        for n, (name, kind, frequency, grace, kinds) in enumerate(DEFAULT_RULES, start=1)
    ])
    return len(rules)
