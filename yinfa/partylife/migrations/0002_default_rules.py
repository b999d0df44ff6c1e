"""The default rules of organisational life (domain.md), each editable afterwards, and branch profiles for the
branch nodes that exist already."""

from django.db import migrations

# A functional branch (功能型党支部) holds its members' activities, not their organisational relationship: it keeps
# the themed party day and the party lecture; the meetings of the members' own branches are not asked of it.
OWN_BRANCHES = ["unit", "community", "joint"]
DEFAULT_RULES = [
    # name, meeting kind, frequency, grace days, branch kinds ([] = every kind)
    ("党员大会每季度至少召开一次", "general", "quarter", 0, OWN_BRANCHES),
    ("支部委员会每月召开一次", "committee", "month", 0, OWN_BRANCHES),
    ("党小组会每月召开一次", "group", "month", 0, OWN_BRANCHES),
    ("党课每季度至少一次", "lecture", "quarter", 0, []),
    ("主题党日每月一次", "theme_day", "month", 0, []),
    ("组织生活会每年至少一次", "life_meeting", "year", 0, OWN_BRANCHES),
    ("民主评议党员每年一次", "evaluation", "year", 0, OWN_BRANCHES),
    ("谈心谈话每年至少一次", "heart_talk", "year", 0, OWN_BRANCHES),
]


def add_defaults(apps, schema_editor):
    Rule = apps.get_model("partylife", "ComplianceRule")
    if Rule.objects.exists():
        return
    Rule.objects.bulk_create([
        Rule(name=name, meeting_kind=kind, frequency=frequency, grace_days=grace, sort_order=n,
             branch_kinds=sorted(kinds))
        for n, (name, kind, frequency, grace, kinds) in enumerate(DEFAULT_RULES, start=1)
    ])
    OrgNode = apps.get_model("core", "OrgNode")
    Branch = apps.get_model("partylife", "Branch")
    rows = []
    for node in OrgNode.objects.filter(kind="branch").select_related("parent"):
        parent_kind = node.parent.kind if node.parent_id else ""
        if "联合" in node.name:
            kind = "joint"
        elif parent_kind == "community":
            kind = "community"
        elif parent_kind == "association" or "功能型" in node.name:
            kind = "functional"
        else:
            kind = "unit"
        rows.append(Branch(node=node, path=node.path, kind=kind))
    Branch.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("partylife", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
