"""The compliance workbook: one row per branch under a node, with its organisations, per rule held/expected, and
the totals. Written row by row (constant memory) by the page for a small subtree and by a job for a large one."""

from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream
from yinfa.partylife import selectors_compliance as selectors
from yinfa.partylife.models import ComplianceRule

# Up to this many branches the file is built while the user waits; above it, by a background job.
DIRECT_EXPORT_LIMIT = 3000


def columns(rules):
    result = [(_("Branch"), 30), (_("Organisations above the branch"), 40)]
    for rule in rules:
        result += [(_("%(rule)s: held") % {"rule": rule.name}, 12),
                   (_("%(rule)s: expected") % {"rule": rule.name}, 12)]
    result += [(_("Held"), 10), (_("Expected to be held"), 10), (_("Missing"), 10), (_("Held on time"), 12),
               (_("Rate (%)"), 10), (_("On-time rate (%)"), 12)]
    return result


def write_export(path, scope, node, year, progress=None):
    """Write the workbook of ``node``'s subtree for ``year`` to ``path``; returns the number of branch rows."""
    rules = list(ComplianceRule.objects.filter(active=True).order_by("sort_order", "pk"))
    names = selectors.subtree_names(scope, node)
    rows = selectors.export_rows(scope, node, year)
    if progress is not None:
        progress.set_total(rows.count())
    totals = selectors.Figures()
    with XlsxStream(path, columns(rules), sheet_name=_("Compliance %(year)s") % {"year": year}) as sheet:
        for _branch_id, branch_path, name, expected, held, on_time, detail in rows.iterator(chunk_size=2000):
            cells = [name, selectors.org_path_label(names, node, branch_path)]
            for rule in rules:
                cells += list(selectors.rule_counts(detail, rule.pk))
            cells += [held, expected, expected - held, on_time, selectors.rate(held, expected),
                      selectors.rate(on_time, expected)]
            sheet.write(cells)
            totals.add(selectors.Figures(branches=1, expected=expected, held=held, on_time=on_time))
            if progress is not None:
                progress.advance()
        sheet.write([_("Total: %(branches)s branches") % {"branches": totals.branches}, node.name,
                     *([None, None] * len(rules)), totals.held, totals.expected, totals.missing, totals.on_time,
                     totals.rate, totals.on_time_rate])
    return totals.branches
