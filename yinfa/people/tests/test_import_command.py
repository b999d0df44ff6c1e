"""manage.py import_people: the same checks and plan as the web import, from the command line."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.people import idnumbers
from yinfa.people.imports.sample import make_sample_roster
from yinfa.people.models import Person


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English wording of messages (the pages show the zh_Hans translation)."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def roster(path):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "离退休类别", "居住社区"])
    book.active.append(["张建国", idnumbers.make("379921", datetime.date(1950, 5, 12), 123), "退休", "东门社区"])
    book.active.append(["李四", "123", "退休", ""])
    book.save(path)
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_counts_and_writes_nothing(world, tmp_path):
    out, err = run(roster(tmp_path / "r.xlsx"), "--org", world.unit_a.code, "--dry-run",
                   "--errors", str(tmp_path / "errors.xlsx"))
    assert "rows 2, valid 1, invalid 1, skipped 0" in out
    assert "new 1 (would be created)" in out
    assert "row 3, 身份证号" in err
    assert (tmp_path / "errors.xlsx").is_file()
    assert Person.objects.count() == 0


def test_a_real_run_imports_into_the_unit_with_the_county_as_scope(world, tmp_path):
    out, _ = run(roster(tmp_path / "r.xlsx"), "--org", world.unit_a.code)
    person = Person.objects.get()
    assert (person.unit, person.community) == (world.unit_a, world.community_a)  # found in the county
    assert "new 1 (created)" in out
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["source"] == "command" and event.actor is None
    out, _ = run(roster(tmp_path / "r.xlsx"), "--org", world.unit_a.code, "--actor", world.county_a_admin.username)
    assert "unchanged 1" in out
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor=world.county_a_admin).exists()


def test_refusals_are_command_errors(world, tmp_path):
    with pytest.raises(CommandError, match="work unit"):
        run(roster(tmp_path / "r.xlsx"), "--org", world.county_a.code)
    with pytest.raises(CommandError, match="no role"):
        run(roster(tmp_path / "r.xlsx"), "--org", world.unit_a.code, "--actor", world.county_b_admin.username)
    bad = tmp_path / "r.xlsm"
    bad.write_bytes(b"PK")
    with pytest.raises(CommandError, match="macros"):
        run(str(bad), "--org", world.unit_a.code)


def test_the_sample_roster_generator_makes_a_valid_realistic_file(world, tmp_path):
    make_sample_roster(tmp_path / "sample.xlsx", 300)
    out, err = run(str(tmp_path / "sample.xlsx"), "--org", world.unit_a.code, "--dry-run")
    assert "rows 300, valid 300, invalid 0, skipped 3" in out, err  # 合计, a blank row, the signatures
