"""What the care and services demos share: the people and organisations of the demo, the accounts, the demo's "today"
and deterministic identifiers and timestamps. No queries but the few in ``DemoContext.build``."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from yinfa.core.demo import REFERENCE_DATE
from yinfa.core.demo.names import full_name
from yinfa.core.models import User
from yinfa.people.models import Category, LivingStatus, Person, SelfCare

BATCH = 500
ONE_DAY = datetime.timedelta(days=1)
COUNTY_PREFIX, SIBLING_PREFIX = "QH", "BX"
COUNTY_CODE, SIBLING_CODE = "JB-QH", "JB-BX"
HOME_COMMUNITY = "QH-S01-C01"  # 东关社区: shequ_admin and zhiyuanzhe
FINANCE_UNIT = "QH-U15"  # 县财政局: danwei_admin, zhibu_shuji's branch
# Organisations whose staff have demo accounts: node code -> the accounts whose names sign their visits.
KNOWN_STAFF = {FINANCE_UNIT: ("danwei_admin",), HOME_COMMUNITY: ("shequ_admin", "zhiyuanzhe"),
               "QH-S01-C02": ("zhiyuanzhe2",), "QH-S01-C03": ("zhiyuanzhe3",)}
NAMES = ("ju_admin", "danwei_admin", "shequ_admin", "zhiyuanzhe", "laotongzhi", "zhibu_shuji", "lianluoyuan",
         "ju_admin_b", "zhiyuanzhe2", "zhiyuanzhe3")


def days(n):
    return datetime.timedelta(days=n)


def new_uid(rng):
    """A version-4 UUID drawn from ``rng`` (so the demo's identifiers are the same on every load)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def moment(day, hour=10, minute=0):
    """An aware timestamp on ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)),
                               timezone.get_default_timezone())


def day_between(rng, start, end):
    """A day in [start, end] (start when the range is empty)."""
    return start + days(rng.randint(0, max(0, (end - start).days)))


def stamp(model, objects, field_name, values):
    """Overwrite an ``auto_now_add`` field after ``bulk_create`` (bulk_update does not call ``pre_save``)."""
    for obj, value in zip(objects, values, strict=True):
        setattr(obj, field_name, value)
    model.objects.bulk_update(objects, [field_name], batch_size=BATCH)


def insert(model, objects):
    """INSERT unsaved instances with the values they hold, ``auto_now_add`` fields included (``bulk_create`` would
    overwrite those with the time of the run, and ``bulk_update`` afterwards is slow). No keys are returned: for
    the history rows nothing points to (contacts, steps) or that are read back by a unique field (visits)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objects]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start:start + 2000])
    return len(rows)


def age_on(person, day):
    born = person.birth_date
    if born is None:
        return 0
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def alive_on(person, day):
    return person.deceased_on is None or person.deceased_on > day


def care_interval(person, day):
    """The default care policy: 独居, 不能自理 or aged 90+ → every 7 days; 空巢 → every 14 days; else None."""
    if not alive_on(person, day):
        return None
    if person.living_status == LivingStatus.ALONE or person.self_care == SelfCare.DEPENDENT \
            or age_on(person, day) >= 90:
        return 7
    if person.living_status == LivingStatus.EMPTY_NEST:
        return 14
    return None


@dataclass
class DemoContext:
    nodes: dict  # code -> OrgNode
    by_pk: dict  # pk -> OrgNode
    people: list  # Person objects in the loader's order
    accounts: dict  # username -> User
    today: datetime.date = REFERENCE_DATE
    retiree_pk: int | None = None  # the person of the laotongzhi account
    staff_names: dict = field(default_factory=dict)  # node code -> (name, name)
    visits: list = field(default_factory=list)  # unsaved Visit objects, saved together
    _counties: dict = field(default_factory=dict)

    @classmethod
    def build(cls, *, nodes, people, accounts, today=REFERENCE_DATE):
        found = dict(accounts or {})
        missing = [name for name in NAMES if name not in found]
        if missing:
            found.update((u.username, u) for u in User.objects.filter(username__in=missing))
        retiree = found.get("laotongzhi")
        retiree_pk = None
        if retiree is not None:
            retiree_pk = Person.objects.filter(account=retiree).values_list("pk", flat=True).first()
        people_list = list(people.values()) if isinstance(people, dict) else list(people)
        return cls(nodes=nodes, by_pk={node.pk: node for node in nodes.values()}, people=people_list,
                   accounts=found, today=today, retiree_pk=retiree_pk)

    def user(self, username):
        return self.accounts.get(username)

    def user_by_pk(self, pk):
        """A demo account by primary key (no query), or None."""
        return next((u for u in self.accounts.values() if u.pk == pk), None) if pk else None

    def unit(self, person):
        return self.by_pk[person.unit_id]

    def community(self, person):
        return self.by_pk.get(person.community_id)

    def county_people(self, prefix=COUNTY_PREFIX):
        """The people of one county (a new list each time; the selection is computed once)."""
        if prefix not in self._counties:
            self._counties[prefix] = [p for p in self.people if self.unit(p).code.startswith(prefix + "-")]
        return list(self._counties[prefix])

    def local(self, person, day):
        """Alive on ``day``, living in the county (a community) and not in another city."""
        return alive_on(person, day) and not person.lives_elsewhere and person.community_id is not None

    def is_lixiu(self, person):
        return person.category == Category.LIXIU

    def recorder(self, person):
        """The account that records things for ``person``: their community's or unit's admin, else the bureau's."""
        community = self.community(person)
        if community is not None and community.code == HOME_COMMUNITY and self.user("shequ_admin"):
            return self.user("shequ_admin")
        unit = self.unit(person)
        if unit.code == FINANCE_UNIT and self.user("danwei_admin"):
            return self.user("danwei_admin")
        return self.bureau(person)

    def bureau(self, person):
        sibling = self.unit(person).code.startswith(SIBLING_PREFIX + "-")
        return self.user("ju_admin_b" if sibling else "ju_admin")

    def handler(self, person):
        """The organisation handling things for a person: their community, else their former unit."""
        return self.community(person) or self.unit(person)

    def staff(self, rng, node):
        """Two staff names of an organisation (those of its demo accounts first), the same on every call."""
        if node.code not in self.staff_names:
            known = [self.user(name).full_name for name in KNOWN_STAFF.get(node.code, ()) if self.user(name)]
            while len(known) < 2:
                known.append(full_name(rng, rng.choice(("male", "female"))))
            self.staff_names[node.code] = tuple(known[:2])
        return self.staff_names[node.code]
