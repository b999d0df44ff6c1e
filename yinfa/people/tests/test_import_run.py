"""The import pass against the database: validation, upsert by ID number, history, all-or-nothing, scope."""

import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yinfa.core.fields import lookup_index
from yinfa.core.history import object_history
from yinfa.core.models import AuditAction, AuditEvent, RoleGrant
from yinfa.core.scope import Scope
from yinfa.people import idnumbers
from yinfa.people.imports import plan, writer
from yinfa.people.imports.run import ImportPass
from yinfa.people.models import Category, LivingStatus, Person
from yinfa.people.tests.factories import make_person


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English wording of messages (the pages show the zh_Hans translation)."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "性别", "出生年月", "离退休类别", "联系电话", "家庭住址", "居住社区", "参加工作时间",
          "居住状况"]


def ident(day, sequence=11, area="379921"):
    return idnumbers.make(area, day, sequence)


def roster(path, rows, header=HEADER):
    book = openpyxl.Workbook()
    book.active.append(["甲县财政局离退休干部花名册"])
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.get(user=user))


def run(world, path, *, write=True, user=None, unit=None, errors_path=None):
    user = user or world.county_a_admin
    return ImportPass(path=path, original_name=path.name, scope=scope_of(user), unit=unit or world.unit_a,
                      actor=user, write=write, errors_path=errors_path).run()


ZHANG = ["张建国", ident(datetime.date(1950, 5, 12)), "男", "1950.05", "退休", "13800138000", "城关镇东门街12号",
         "东门社区", "1968.09", "与配偶同住"]


def reasons(outcome):
    return {(e.number, e.column): e.reason for e in outcome.errors}


def test_a_clean_roster_creates_people_with_their_anchors_encrypted_fields_and_pinyin(world, tmp_path):
    outcome = run(world, roster(tmp_path / "r.xlsx", [ZHANG]))
    assert (outcome.rows, outcome.valid, outcome.new, outcome.invalid) == (1, 1, 1, 0)
    person = Person.objects.get()
    assert (person.unit, person.community, person.unit_path, person.community_path) == (
        world.unit_a, world.community_a, world.unit_a.path, world.community_a.path)
    assert person.name_pinyin == "zhangjianguo"
    assert person.birth_date == datetime.date(1950, 5, 12)
    assert person.gender == "male"
    assert person.joined_work_on == datetime.date(1968, 9, 1)
    assert person.living_status == LivingStatus.WITH_SPOUSE
    assert (person.phone, person.address) == ("13800138000", "城关镇东门街12号")
    assert Person.objects.get(phone_index=lookup_index(Person, "phone_index", "13800138000")) == person
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person")
        stored = cursor.fetchone()
    assert ZHANG[1] not in stored[0] and "13800138000" not in stored[1]


def test_each_bad_row_is_refused_naming_row_and_column_and_the_others_still_import(world, tmp_path):
    good = ident(datetime.date(1952, 1, 2), 22)
    wrong_check = good[:17] + ("1" if good[17] != "1" else "2")
    rows = [
        ZHANG,                                                                          # row 3
        ["", ident(datetime.date(1951, 1, 1), 33), "男", "", "退休"],                   # 4: no name
        ["李秀英", wrong_check, "女", "", "退休"],                                       # 5: check character
        ["王五", float(ZHANG[1]), "男", "", "退休"],                                     # 6: stored as a number
        ["张建国", ZHANG[1], "男", "1950.05", "退休"],                                    # 7: same ID as row 3
        ["赵六", ident(datetime.date(1949, 3, 3), 55), "男", "", "在职"],                 # 8: unknown category
        ["钱七", ident(datetime.date(1947, 7, 7), 77), "男", "1948.07", "退休"],          # 9: birth date contradicts
        ["孙八", ident(datetime.date(1946, 6, 6), 66), "男", "", "退休"],                 # 10: gender contradicts
        ["周九", ident(datetime.date(1946, 6, 6), 88), "女", "1946-06-06", "退休", "", "", "西门社区"],  # 11
        ["吴十", ident(datetime.date(1955, 5, 5), 99, area="110101"), "男", "1955.05", "退休"],  # 12: fine
    ]
    outcome = run(world, roster(tmp_path / "r.xlsx", rows))
    found = reasons(outcome)
    assert set(found) == {(4, "姓名"), (5, "身份证号码"), (6, "身份证号码"), (7, "身份证号码"), (8, "离退休类别"),
                          (9, "出生年月"), (10, "性别"), (11, "居住社区")}
    assert "row 3" in found[(7, "身份证号码")]
    assert "number" in found[(6, "身份证号码")] or "数字" in found[(6, "身份证号码")]
    assert (outcome.valid, outcome.invalid, outcome.new) == (2, 8, 2)
    assert set(Person.objects.values_list("name", flat=True)) == {"张建国", "吴十"}


def snapshot():
    """Every column of every person, encrypted ones as stored (ciphertext changes if a value is rewritten)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person ORDER BY id")
        return cursor.fetchall()


def test_the_same_file_imported_twice_changes_nothing(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [ZHANG, ["吴十", ident(datetime.date(1955, 5, 5), 99), "男", "", "退休"]])
    run(world, path)
    before = snapshot()
    audit_rows = AuditEvent.objects.count()
    again = run(world, path)
    assert (again.new, again.update, again.unchanged) == (0, 0, 2)
    assert snapshot() == before
    assert AuditEvent.objects.count() == audit_rows + 1  # only the IMPORT row of the second run


def test_a_changed_phone_updates_the_person_and_shows_masked_in_the_history(world, tmp_path):
    run(world, roster(tmp_path / "r.xlsx", [ZHANG]))
    person = Person.objects.get()
    changed = [*ZHANG[:5], "13900139000", *ZHANG[6:]]
    outcome = run(world, roster(tmp_path / "r2.xlsx", [changed]))
    assert (outcome.update, outcome.unchanged) == (1, 0)
    assert outcome.sample_updates[0]["changes"] == [{"field": str(Person._meta.get_field("phone").verbose_name),
                                                     "old": "138****8000",
                                                     "new": "139****9000"}]
    person = Person.objects.get(pk=person.pk)
    assert person.phone == "13900139000" and person.version == 2
    assert person.address == "城关镇东门街12号"  # the other encrypted fields are still readable
    assert Person.objects.get(phone_index=lookup_index(Person, "phone_index", "13900139000")) == person
    history = object_history(scope_of(world.unit_a_admin), person, labels={"phone": "联系电话"})
    assert history[0].action == AuditAction.UPDATE
    assert history[0].change_rows == [{"label": "联系电话", "old": "138****8000", "new": "139****9000"}]
    assert "13900139000" not in str(history[0].changes) and "13800138000" not in str(history[1].changes)
    assert history[1].action == AuditAction.CREATE


def test_empty_cells_and_month_precise_dates_never_overwrite_what_the_file_holds(world, tmp_path):
    make_person(world.unit_a, name="张建国", id_number=ZHANG[1], born=datetime.date(1950, 5, 12),
                joined_work_on=datetime.date(1968, 9, 15), phone="13800138000")
    outcome = run(world, roster(tmp_path / "r.xlsx", [["张建国", ZHANG[1], "", "", "退休", "", "", "", "1968.09"]]))
    assert (outcome.update, outcome.unchanged) == (0, 1)
    assert Person.objects.get().joined_work_on == datetime.date(1968, 9, 15)


def test_a_failure_half_way_leaves_nothing_and_running_again_completes(world, tmp_path, monkeypatch):
    rows = [[f"人员{n}", ident(datetime.date(1950, 1, 1 + n % 28), n), "", "", "退休"] for n in range(1, 26)]
    path = roster(tmp_path / "r.xlsx", rows)
    monkeypatch.setattr(plan, "CHUNK_SIZE", 10)
    monkeypatch.setattr("yinfa.people.imports.run.CHUNK_SIZE", 10)
    real_write = writer.ChunkWriter.write
    calls = []

    def dying_write(self, planned):
        calls.append(len(planned))
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_write(self, planned)

    monkeypatch.setattr(writer.ChunkWriter, "write", dying_write)
    with pytest.raises(RuntimeError):
        run(world, path)
    assert calls == [10, 10]
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="people.person").exists()
    monkeypatch.setattr(writer.ChunkWriter, "write", real_write)
    outcome = run(world, path)
    assert (outcome.new, Person.objects.count()) == (25, 25)


def test_people_of_another_county_are_refused_not_touched(world, tmp_path):
    other = make_person(world.unit_b, name="乙县老同志", id_number=ZHANG[1], phone="13700137000")
    outcome = run(world, roster(tmp_path / "r.xlsx", [ZHANG]))
    assert (outcome.new, outcome.update, outcome.invalid) == (0, 0, 1)
    assert "outside your scope" in outcome.errors[0].reason
    other.refresh_from_db()
    assert (other.name, other.phone, other.unit) == ("乙县老同志", "13700137000", world.unit_b)


def test_a_unit_admin_cannot_update_people_outside_the_unit(world, tmp_path):
    unit_2 = world.unit_a.__class__.objects.create(kind="unit", code="U2", name="甲县税务局", parent=world.county_a,
                                                   path=world.county_a.path + "zz/", depth=world.county_a.depth + 1)
    make_person(unit_2, name="税务局老同志", id_number=ZHANG[1])
    outcome = run(world, roster(tmp_path / "r.xlsx", [ZHANG]), user=world.unit_a_admin)
    assert outcome.invalid == 1 and outcome.update == 0


def test_the_lookup_of_existing_people_costs_the_same_queries_for_20_or_2000_rows(world, tmp_path):
    def queries_for(count, name):
        rows = [[f"人员{n}", ident(datetime.date(1940 + n % 30, 1 + n % 12, 1 + n % 28), n % 1000), "", "", "退休"]
                for n in range(count)]
        for n in range(0, count, 2):  # half of them are registered already
            make_person(world.unit_a, name=f"人员{n}", id_number=rows[n][1], save=True)
        path = roster(tmp_path / name, rows)
        with CaptureQueriesContext(connection) as captured:
            run(world, path, write=False)
        Person.objects.all().delete()
        return sum(1 for q in captured.captured_queries if "people_person" in q["sql"])

    assert queries_for(20, "small.xlsx") == 2
    assert queries_for(2000, "big.xlsx") == 2 * (2000 // plan.CHUNK_SIZE)


def test_a_lixiu_category_is_derived_from_the_revolution_date_when_missing(world, tmp_path):
    header = ["姓名", "身份证号", "参加革命工作时间"]
    outcome = run(world, roster(tmp_path / "r.xlsx", [["老红军", ident(datetime.date(1928, 1, 1)), "1945.08"]],
                                header=header))
    assert outcome.new == 1
    assert Person.objects.get().category == Category.LIXIU


def test_the_error_workbook_lists_the_rows_not_imported_with_reasons(world, tmp_path):
    path = roster(tmp_path / "r.xlsx", [ZHANG, ["", "+1+1", "男"]])
    run(world, path, write=False, errors_path=tmp_path / "errors.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "姓名"
    assert rows[1][0] == 4
    assert "姓名" in rows[1][1] and "身份证号码" in rows[1][1]
    assert rows[1][4] == "'+1+1"  # never a live formula
    assert len(rows) == 2
