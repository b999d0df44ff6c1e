"""The demo retirees, generated from the blueprint with one ``random.Random`` (no database access).

The figures follow the seed documents: a county of 3,397 retirees, 242 of them 离休 (about 7 %), the rest 退休.
"""

import dataclasses
import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass

from yinfa.core.demo import REFERENCE_DATE, talents
from yinfa.core.demo.names import full_name
from yinfa.core.models import UnitKind
from yinfa.people import idnumbers
from yinfa.people.models import (
    CPC_STATUSES,
    Category,
    Gender,
    Level,
    LivingStatus,
    PoliticalStatus,
    SelfCare,
)

COUNTY_PEOPLE = 3397
COUNTY_LIXIU = 242
SIBLING_PEOPLE = 24
LIXIU_CUTOFF = datetime.date(1949, 10, 1)

ETHNICITIES = {"汉族": 965, "回族": 15, "满族": 10, "蒙古族": 4, "土家族": 3, "壮族": 3}
LIXIU_LEVELS = {Level.BUREAU_FULL: 1, Level.BUREAU_DEPUTY: 4, Level.COUNTY_FULL: 30, Level.COUNTY_DEPUTY: 35,
                Level.SECTION_FULL: 18, Level.SECTION_DEPUTY: 8, Level.CLERK: 4}
TUIXIU_LEVELS = {Level.BUREAU_DEPUTY: 0.3, Level.COUNTY_FULL: 3, Level.COUNTY_DEPUTY: 8, Level.SECTION_FULL: 20,
                 Level.SECTION_DEPUTY: 22, Level.CLERK: 46.7}
ENTERPRISE_LEVELS = {Level.COUNTY_FULL: 1, Level.COUNTY_DEPUTY: 3, Level.SECTION_FULL: 10,
                     Level.SECTION_DEPUTY: 14, Level.CLERK: 72}
POSITIONS = {
    UnitKind.ORGAN: {
        Level.BUREAU_FULL: ["县委书记", "县长"], Level.BUREAU_DEPUTY: ["县委副书记", "副县长", "县人大常委会主任"],
        Level.COUNTY_FULL: ["局长", "主任", "部长"], Level.COUNTY_DEPUTY: ["副局长", "副主任", "调研员"],
        Level.SECTION_FULL: ["科长", "股长", "主任科员"], Level.SECTION_DEPUTY: ["副科长", "副股长", "副主任科员"],
        Level.CLERK: ["科员", "办事员"],
    },
    "hospital": {
        Level.BUREAU_FULL: ["院长"], Level.BUREAU_DEPUTY: ["院长"],
        Level.COUNTY_FULL: ["院长", "党委书记"], Level.COUNTY_DEPUTY: ["副院长"],
        Level.SECTION_FULL: ["科主任", "主任医师", "护理部主任"], Level.SECTION_DEPUTY: ["副主任医师", "护士长"],
        Level.CLERK: ["医师", "护士", "药剂师", "职员"],
    },
    "school": {
        Level.BUREAU_FULL: ["校长"], Level.BUREAU_DEPUTY: ["校长"],
        Level.COUNTY_FULL: ["校长", "党委书记"], Level.COUNTY_DEPUTY: ["副校长"],
        Level.SECTION_FULL: ["教务主任", "高级教师"], Level.SECTION_DEPUTY: ["年级组长", "教研组长"],
        Level.CLERK: ["教师", "职员"],
    },
    UnitKind.INSTITUTION: {
        Level.BUREAU_FULL: ["台长"], Level.BUREAU_DEPUTY: ["台长"],
        Level.COUNTY_FULL: ["台长", "主任"], Level.COUNTY_DEPUTY: ["副台长", "副主任"],
        Level.SECTION_FULL: ["部主任", "主任编辑"], Level.SECTION_DEPUTY: ["副主任", "编辑"],
        Level.CLERK: ["记者", "职员"],
    },
    UnitKind.ENTERPRISE: {
        Level.BUREAU_FULL: ["总经理"], Level.BUREAU_DEPUTY: ["总经理"],
        Level.COUNTY_FULL: ["经理", "党委书记"], Level.COUNTY_DEPUTY: ["副经理", "工会主席"],
        Level.SECTION_FULL: ["科长", "车间主任"], Level.SECTION_DEPUTY: ["副科长", "班组长"],
        Level.CLERK: ["职工", "技术员", "会计"],
    },
}
# Where people living elsewhere (异地安置, mostly with their children) live: (city, street address).
ELSEWHERE = (("南京市", "江苏省南京市鼓楼区中山北路"), ("上海市", "上海市浦东新区张杨路"),
             ("深圳市", "广东省深圳市南山区南海大道"), ("北京市", "北京市海淀区学院路"),
             ("杭州市", "浙江省杭州市西湖区文三路"), ("济南市", "山东省济南市历下区泉城路"),
             ("成都市", "四川省成都市武侯区人民南路"), ("天津市", "天津市河西区友谊路"))
ESTATES = ("府前小区 阳光花园 锦绣家园 幸福里 建设小区 教育小区 财政小区 电业小区 水利小区 金色家园 御景苑 "
           "康乐小区").split()
MOBILE_PREFIXES = [f"13{d}" for d in range(10)] + ["150", "151", "152", "153", "155", "156", "157", "158", "159"] + \
    [f"18{d}" for d in range(10)]


@dataclass(frozen=True)
class PersonRecord:
    uid: str
    name: str
    gender: str
    ethnicity: str
    birth_date: datetime.date
    id_number: str
    phone: str
    address: str
    category: str
    joined_work_on: datetime.date
    joined_revolution_on: datetime.date | None
    joined_party_on: datetime.date | None
    retired_on: datetime.date
    former_position: str
    level: str
    political_status: str
    unit: str  # node codes
    branch: str | None
    community: str | None
    registered_community: str | None
    living_status: str
    self_care: str
    lives_elsewhere: bool
    deceased_on: datetime.date | None
    # the rest of the file (talents, treatment…): see yinfa.core.demo.talents
    elsewhere_place: str = ""
    treatment: str = ""
    treatment_approved_on: datetime.date | None = None
    treatment_approval_no: str = ""
    native_place: str = ""
    landline: str = ""
    party_roles: str = ""
    specialties: str = ""
    hobbies: str = ""
    social_positions: str = ""
    rehired: bool = False

    def age_on(self, day=REFERENCE_DATE):
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _pick(rng, weighted):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _day_between(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _allocate(total, weights):
    """Split ``total`` over ``weights`` exactly (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class PeopleGenerator:
    """Generates the retirees of one county plan; subclasses may change how phones are drawn."""

    def __init__(self, rng, county):
        self.rng = rng
        self.county = county
        self.id_keys = set()
        self.phones = set()
        self.community_weights = {c.code: c.weight for c in county.communities}
        self.communities = {c.code: c for c in county.communities}

    def unit_slots(self, total, lixiu):
        """One unit per person, in a shuffled order: exact shares by weight (离休 lean to government organs)."""
        units = self.county.units
        lixiu_weight = {UnitKind.ORGAN: 2.0, UnitKind.INSTITUTION: 1.0, UnitKind.ENTERPRISE: 0.7}
        lixiu_counts = _allocate(lixiu, [u.weight * lixiu_weight[u.unit_kind] for u in units])
        tuixiu_counts = _allocate(total - lixiu, [u.weight for u in units])
        slots = [(Category.LIXIU, u) for u, n in zip(units, lixiu_counts, strict=True) for _ in range(n)]
        slots += [(Category.TUIXIU, u) for u, n in zip(units, tuixiu_counts, strict=True) for _ in range(n)]
        self.rng.shuffle(slots)
        return slots

    def id_number(self, birth_date, gender):
        area = self.county.area_code if self.rng.random() < 0.95 else self.county.historical_area_code
        while True:
            sequence = self.rng.randrange(1 if gender == Gender.MALE else 0, 1000, 2)
            key = (area, birth_date, sequence)
            if key not in self.id_keys:
                self.id_keys.add(key)
                return idnumbers.make(area, birth_date, sequence)

    def mobile(self):
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def address(self, community):
        rng = self.rng
        road = rng.choice(community.roads)
        place = f"{self.county.name}{community.street}"
        if community.town:
            return f"{place}{community.name}{road}{rng.randint(1, 180)}号"
        return (f"{place}{road}{rng.randint(1, 300)}号{rng.choice(ESTATES)}{rng.randint(1, 24)}号楼"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室")

    def person(self, category, unit):
        rng = self.rng
        lixiu = category == Category.LIXIU
        gender = Gender.MALE if rng.random() < (0.84 if lixiu else 0.60) else Gender.FEMALE
        if lixiu:
            birth = _day_between(rng, datetime.date(1925, 1, 1), datetime.date(1935, 6, 30))
            earliest = max(_years_after(birth, 14), datetime.date(1937, 7, 7))
            span = (datetime.date(1949, 9, 30) - earliest).days
            joined_revolution = earliest + datetime.timedelta(days=int(rng.triangular(0, span, span)))
            joined_work = joined_revolution
            retired = _years_after(birth, 60 if gender == Gender.MALE else 55)
            level = _pick(rng, LIXIU_LEVELS)
            status = _pick(rng, {PoliticalStatus.PARTY_MEMBER: 95, PoliticalStatus.MASSES: 4,
                                 PoliticalStatus.DEMOCRATIC_PARTY: 1})
        else:
            year = int(rng.triangular(1940, 1967, 1957))
            birth = _day_between(rng, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
            birth = min(birth, datetime.date(1966, 6, 30))
            joined_revolution = None
            joined_work = _day_between(rng, _years_after(birth, 17), _years_after(birth, 24))
            retire_age = 60 if gender == Gender.MALE else (50 if unit.unit_kind == UnitKind.ENTERPRISE else 55)
            retired = _years_after(birth, retire_age)
            level = _pick(rng, ENTERPRISE_LEVELS if unit.unit_kind == UnitKind.ENTERPRISE else TUIXIU_LEVELS)
            status = _pick(rng, {PoliticalStatus.PARTY_MEMBER: 68, PoliticalStatus.PROBATIONARY: 0.3,
                                 PoliticalStatus.MASSES: 29, PoliticalStatus.DEMOCRATIC_PARTY: 2.7})
        joined_party = None
        if status == PoliticalStatus.PARTY_MEMBER:
            start = joined_revolution or joined_work
            joined_party = min(_day_between(rng, start, _years_after(start, 6 if lixiu else 20)), retired)
        elif status == PoliticalStatus.PROBATIONARY:
            joined_party = REFERENCE_DATE - datetime.timedelta(days=rng.randint(30, 330))
        age = REFERENCE_DATE.year - birth.year
        elsewhere = rng.random() < 0.02
        community = None if elsewhere else rng.choices(
            list(self.community_weights), weights=list(self.community_weights.values()))[0]
        registered = None
        if community is not None:
            roll = rng.random()
            registered = community if roll < 0.85 else (
                rng.choice(list(self.community_weights)) if roll < 0.95 else None)
        branch = None
        if status in CPC_STATUSES:
            community_branch = self.communities[community].branch if community else None
            if community_branch and rng.random() < 0.3:
                branch = community_branch
            else:
                branch = rng.choice(unit.branches)
        deceased = None
        if rng.random() < (0.10 if lixiu else 0.025):
            deceased = _day_between(rng, max(datetime.date(2020, 1, 1), retired), datetime.date(2026, 10, 31))
        phone = "" if lixiu and rng.random() < 0.1 else self.mobile()
        elsewhere_place, elsewhere_address = rng.choice(ELSEWHERE) if elsewhere else ("", "")
        living_status = self.living_status(age)
        if elsewhere:  # 异地安置: they moved to live with a son or daughter
            living_status = LivingStatus.WITH_CHILDREN
        address = (f"{elsewhere_address}{rng.randint(1, 400)}号" if elsewhere
                   else self.address(self.communities[community]))
        record = PersonRecord(
            uid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            name=full_name(rng, gender), gender=gender.value, ethnicity=_pick(rng, ETHNICITIES), birth_date=birth,
            id_number=self.id_number(birth, gender), phone=phone, address=address, category=category.value,
            joined_work_on=joined_work, joined_revolution_on=joined_revolution, joined_party_on=joined_party,
            retired_on=retired, former_position=rng.choice(POSITIONS[talents.position_kind(unit)][level]),
            level=level.value,
            political_status=status.value, unit=unit.code, branch=branch, community=community,
            registered_community=registered, living_status=living_status.value,
            self_care=self.self_care(age).value, lives_elsewhere=elsewhere, deceased_on=deceased,
            elsewhere_place=elsewhere_place)
        return dataclasses.replace(record, **talents.extras(rng, record, unit, self.county))

    def living_status(self, age):
        if age >= 90:
            weights = {LivingStatus.ALONE: 12, LivingStatus.EMPTY_NEST: 18, LivingStatus.WITH_SPOUSE: 10,
                       LivingStatus.WITH_CHILDREN: 45, LivingStatus.CARE_HOME: 15}
        elif age >= 80:
            weights = {LivingStatus.ALONE: 12, LivingStatus.EMPTY_NEST: 25, LivingStatus.WITH_SPOUSE: 25,
                       LivingStatus.WITH_CHILDREN: 32, LivingStatus.CARE_HOME: 6}
        else:
            weights = {LivingStatus.ALONE: 7, LivingStatus.EMPTY_NEST: 30, LivingStatus.WITH_SPOUSE: 38,
                       LivingStatus.WITH_CHILDREN: 23, LivingStatus.CARE_HOME: 2}
        return _pick(self.rng, weights)

    def self_care(self, age):
        if age >= 90:
            weights = (45, 35, 20)
        elif age >= 85:
            weights = (70, 20, 10)
        elif age >= 75:
            weights = (85, 11, 4)
        else:
            weights = (95, 4, 1)
        return _pick(self.rng, dict(zip((SelfCare.INDEPENDENT, SelfCare.PARTLY, SelfCare.DEPENDENT), weights,
                                        strict=True)))


def scaled(figure, scale):
    return max(1, round(figure * scale)) if scale > 0 else 0


def generate_people(rng, county, *, total, lixiu):
    generator = PeopleGenerator(rng, county)
    return [generator.person(category, unit) for category, unit in generator.unit_slots(total, lixiu)]


def digest(records):
    """A stable fingerprint of generated people (used to prove the generator is deterministic)."""
    payload = json.dumps([vars(r) for r in records], default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()
