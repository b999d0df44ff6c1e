"""The default rules of organisational life (domain.md), each editable afterwards, and branch profiles for the
branch nodes that exist already."""

from django.db import migrations

from yinfa.partylife.default_rules import DEFAULT_RULES


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
