"""Excel workbooks of a visit campaign: the coverage per visiting organisation (planned / visited / not visited /
to visit / %, with the totals) and the task list (name, organisation, status, reason, visit date — no ID number,
no phone). Written row by row in constant memory; the view audits the export."""

from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream

# The task list is written while the user waits; a campaign's list in one scope stays well below this.
TASK_EXPORT_LIMIT = 50_000


def write_coverage(path, campaign, coverage):
    """The coverage sheet; returns the number of organisation rows."""
    columns = [(_("Visiting organisation"), 36), (_("Planned visits"), 10), (_("Visited"), 10), (_("Not visited"), 12),
               (_("To visit"), 10), (_("Visited (%)"), 12)]
    with XlsxStream(path, columns, sheet_name=_("Coverage")) as sheet:
        for row in coverage.rows:
            sheet.write([row.name, row.planned, row.done, row.skipped, row.pending, row.percent])
        total = coverage.total
        sheet.write([_("Total: %(title)s") % {"title": campaign.title}, total.planned, total.done, total.skipped,
                     total.pending, total.percent])
    return len(coverage.rows)


def write_tasks(path, tasks):
    """The task list; ``tasks`` yields CampaignTask rows with ``person`` and ``assignee`` loaded. Returns the rows."""
    columns = [(_("Full name"), 16), (_("Visiting organisation"), 36), (_("Status"), 14), (_("Reason"), 30),
               (_("Visited on"), 12)]
    count = 0
    with XlsxStream(path, columns, sheet_name=_("People to visit")) as sheet:
        for task in tasks:
            sheet.write([task.person.name, task.assignee.name, task.get_status_display(), task.reason,
                         task.done_on])
            count += 1
    return count
