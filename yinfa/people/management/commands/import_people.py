"""Import a roster from the command line: the same checks, plan and bulk write as the web import.

    manage.py import_people FILE --org CODE [--dry-run] [--errors OUT.xlsx] [--actor USERNAME]

The people go into the work unit CODE. The scope (whose people may be updated, which communities may be
named) is the role of ``--actor`` that covers the unit, or without ``--actor`` the county (district) above the
unit, as a bureau would import it.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from yinfa.core.models import OrgKind, OrgNode, User
from yinfa.core.permissions import Perm
from yinfa.core.scope import Scope
from yinfa.people.imports.reader import RosterError
from yinfa.people.imports.run import ImportPass
from yinfa.people.imports.safety import UnsafeFile

ERRORS_PRINTED = 20


def command_scope(unit, actor):
    """The scope of the import: the actor's role covering the unit, or the county above the unit."""
    if actor is not None:
        from yinfa.core.middleware import active_grants

        for grant in active_grants(actor):
            scope = Scope.from_grant(grant)
            if scope.has(Perm.PEOPLE_IMPORT) and scope.contains_path(unit.path):
                return scope
        raise CommandError(f"{actor.username} holds no role that may import rosters into {unit.code}")
    ancestors = {node.pk: node for node in OrgNode.objects.filter(pk__in=unit.ancestor_ids)}
    top = unit
    for pk in reversed(unit.ancestor_ids):
        node = ancestors.get(pk)
        if node is not None:
            top = node
            if node.kind == OrgKind.DISTRICT:
                break
    return Scope(grant_id=0, node_id=top.pk, node_name=top.name, path=top.path, depth=top.depth,
                 role="command", permissions=frozenset({Perm.PEOPLE_IMPORT, Perm.PEOPLE_VIEW}))


class Progress:
    def __init__(self, out):
        self.out = out
        self.done = 0
        self.total = 0
        self.step = 10_000

    def set_total(self, total):
        self.total = total

    def advance(self, count=1, message=None):
        before = self.done // self.step
        self.done += count
        if self.done // self.step > before:
            self.out.write(f"  … {self.done:,} rows read", ending="\n")


class Command(BaseCommand):
    help = "Import a roster (.xlsx, .xls, .ods or .csv) into a work unit."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="code of the work unit the people belong to")
        parser.add_argument("--dry-run", action="store_true", help="check and plan only; write nothing")
        parser.add_argument("--errors", help="write the rows that cannot be imported to this .xlsx file")
        parser.add_argument("--actor", help="user name recorded in the audit trail; their role sets the scope")

    def handle(self, *args, file, org, dry_run, errors, actor, **options):
        unit = OrgNode.objects.filter(code=org).first()
        if unit is None:
            raise CommandError(f"no organisation with the code {org!r}")
        if unit.kind != OrgKind.UNIT:
            raise CommandError(f"{org} is a {unit.get_kind_display()}, not a work unit")
        user = None
        if actor:
            user = User.objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"no active account named {actor!r}")
        scope = command_scope(unit, user)
        started = time.perf_counter()
        try:
            outcome = ImportPass(path=file, original_name=file, scope=scope, unit=unit, actor=user,
                                 write=not dry_run, errors_path=errors, progress=Progress(self.stdout),
                                 audit_detail={"source": "command", "file": file[-200:]}).run()
        except (UnsafeFile, RosterError) as exc:
            raise CommandError(exc.reason) from None
        except FileNotFoundError:
            raise CommandError(f"no such file: {file}") from None
        seconds = time.perf_counter() - started
        self._report(outcome, dry_run, seconds, errors, scope)

    def _report(self, outcome, dry_run, seconds, errors, scope):
        write = self.stdout.write
        write(f"{'Dry run (nothing written)' if dry_run else 'Imported'} in scope {scope.node_name}: "
              f"sheet {outcome.sheet!r}")
        write(f"rows {outcome.rows}, valid {outcome.valid}, invalid {outcome.invalid}, skipped {outcome.skipped}")
        verb = ("would be " if dry_run else "")
        write(f"new {outcome.new} ({verb}created), update {outcome.update} ({verb}updated), "
              f"unchanged {outcome.unchanged}")
        rate = outcome.rows / seconds if seconds else 0
        write(f"time {seconds:.2f} s, {rate:,.0f} rows/s")
        if outcome.ignored_headers:
            write("columns not imported: " + ", ".join(outcome.ignored_headers))
        for error in outcome.errors[:ERRORS_PRINTED]:
            self.stderr.write(f"row {error.number}, {error.column}: {error.reason}")
        if outcome.invalid > ERRORS_PRINTED:
            self.stderr.write(f"… and more ({outcome.invalid} rows not imported)")
        if errors and outcome.invalid:
            write(f"rows not imported written to {errors}")
