"""The rest of each demo person's file: health, family and emergency contacts, honours and life events.

Generated from the person records with a random stream of its own (no database), so the people themselves do
not change when this module does. The rules follow the people: the old have more chronic conditions; whoever
lives with a spouse has a living spouse; the dead have a death event whose 抚恤金 goes to the surviving spouse,
who is kept as a survivor (遗属) to visit; people living elsewhere (异地安置) have a relocation event and a child
in that city; a few are in hospital now, some are away for the winter or visiting children abroad.
"""

import datetime
import uuid
from dataclasses import dataclass, field, replace

from yinfa.core.demo import REFERENCE_DATE
from yinfa.core.demo.names import SURNAMES, full_name, given_name
from yinfa.people.models import (
    CPC_STATUSES,
    Category,
    HealthStatus,
    HonourKind,
    LifeEventKind,
    LivingStatus,
    Relation,
    SelfCare,
)

CONDITIONS = {"高血压": 45, "糖尿病": 18, "冠心病": 15, "骨质疏松": 12, "骨关节炎": 12, "白内障": 10,
              "慢性阻塞性肺疾病": 8, "脑梗死后遗症": 7, "慢性胃炎": 6, "慢性肾病": 4, "帕金森病": 3}
OLD_AGE_CONDITIONS = {"阿尔茨海默病": 6, "听力下降": 8}
# condition -> (department, diagnosis of a hospital stay)
STAYS = {"高血压": ("心内科", "高血压3级"), "冠心病": ("心内科", "冠心病、不稳定型心绞痛"),
         "糖尿病": ("内分泌科", "2型糖尿病伴血糖控制不佳"), "慢性阻塞性肺疾病": ("呼吸内科", "慢阻肺急性加重"),
         "脑梗死后遗症": ("神经内科", "脑梗死"), "骨质疏松": ("骨科", "股骨颈骨折"),
         "骨关节炎": ("骨科", "膝关节骨性关节炎"), "白内障": ("眼科", "老年性白内障")}
GENERAL_STAYS = (("呼吸内科", "肺部感染"), ("老年病科", "多发性腔隙性脑梗死"), ("消化内科", "消化道出血"),
                 ("泌尿外科", "泌尿系感染"))
CAUSES_OF_DEATH = ("心力衰竭", "脑出血", "肺部感染", "恶性肿瘤（肺癌）", "多器官功能衰竭", "急性心肌梗死",
                   "恶性肿瘤（胃癌）", "脑梗死")
CHECKUP_NOTES = {"高血压": "血压偏高，坚持服药，低盐饮食", "糖尿病": "空腹血糖偏高，控制饮食，定期复查",
                 "冠心病": "心电图ST-T改变，避免劳累", "骨质疏松": "骨密度降低，补钙，防跌倒"}
WINTER_PLACES = ("海南省三亚市", "海南省海口市", "广西壮族自治区北海市", "云南省西双版纳州")
ABROAD_PLACES = ("美国洛杉矶（探亲）", "加拿大多伦多（探亲）", "澳大利亚悉尼（探亲）", "新加坡（旅游）",
                 "日本东京（旅游）")
CHILD_CITIES = ("本县", "本县", "本县", "江北市", "省城", "深圳市", "上海市", "北京市", "杭州市")
CITY_HOSPITAL = "江北市第一人民医院"
# (title, awarded by): relative frequency
HONOUR_TITLES = {("优秀共产党员", "县委"): 30, ("先进工作者", "县人民政府"): 30,
                 ("离退休干部先进个人", "县委组织部"): 15, ("五好家庭", "县妇联"): 12,
                 ("全县老干部工作先进个人", "县委老干部局"): 10, ("劳动模范", "省人民政府"): 3}


@dataclass(frozen=True)
class HealthRecord:
    person: str  # the person's uid
    status: str
    chronic_conditions: str
    disabilities: str
    medical_entitlement: str
    contract_hospital: str
    last_checkup_on: datetime.date | None
    checkup_summary: str
    notes: str


@dataclass(frozen=True)
class ContactRecord:
    uid: str
    person: str
    relation: str
    name: str
    phone: str
    alive: bool = True
    lives_together: bool = False
    is_emergency: bool = False
    is_survivor: bool = False
    dependant: bool = False
    note: str = ""


@dataclass(frozen=True)
class HonourRecord:
    person: str
    kind: str
    title: str
    awarded_on: datetime.date | None
    awarded_by: str


@dataclass(frozen=True)
class EventRecord:
    person: str
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    place: str = ""
    department: str = ""
    reason: str = ""
    diagnosis: str = ""
    farewell: str = ""
    pension_recipient: str = ""
    note: str = ""


@dataclass
class FileRecords:
    health: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    honours: list = field(default_factory=list)
    events: list = field(default_factory=list)

    def figures(self):
        deaths = [e for e in self.events if e.kind == LifeEventKind.DEATH]
        return {
            "health_records": len(self.health),
            "contacts": len(self.contacts),
            "survivors": sum(c.is_survivor for c in self.contacts),
            "emergency_contacts": sum(c.is_emergency for c in self.contacts),
            "honours": len(self.honours),
            "life_events": len(self.events),
            "deaths": len(deaths),
            "relocations": sum(e.kind == LifeEventKind.RELOCATION for e in self.events),
            "in_hospital_now": sum(e.kind == LifeEventKind.HOSPITAL and e.ends_on is None for e in self.events),
            "away_now": sum(e.kind in (LifeEventKind.AWAY, LifeEventKind.ABROAD) and e.ends_on is None
                            for e in self.events),
        }


def _weighted(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(rng, start, end):
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _surname(name):
    return name[:2] if name[:2] in SURNAMES else name[:1]


def _alive_until(record):
    return record.deceased_on or REFERENCE_DATE


def _age(record):
    day = _alive_until(record)
    born = record.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _FileGenerator:
    def __init__(self, rng, county_name, phones):
        self.rng = rng
        self.county_name = county_name
        self.phones = set(phones)
        self.files = FileRecords()

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def mobile(self):
        while True:
            number = f"1{self.rng.choice('35789')}{self.rng.randrange(10 ** 9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    # --- health ---

    def health(self, record, unit_kind):
        rng, age = self.rng, _age(record)
        if record.self_care == SelfCare.DEPENDENT:
            status = _weighted(rng, {HealthStatus.POOR: 60, HealthStatus.CRITICAL: 25, HealthStatus.FAIR: 15})
        elif record.self_care == SelfCare.PARTLY:
            status = _weighted(rng, {HealthStatus.FAIR: 50, HealthStatus.POOR: 40, HealthStatus.GOOD: 10})
        elif age < 75:
            status = _weighted(rng, {HealthStatus.GOOD: 65, HealthStatus.FAIR: 30, HealthStatus.POOR: 5})
        elif age < 85:
            status = _weighted(rng, {HealthStatus.GOOD: 45, HealthStatus.FAIR: 45, HealthStatus.POOR: 10})
        else:
            status = _weighted(rng, {HealthStatus.GOOD: 25, HealthStatus.FAIR: 55, HealthStatus.POOR: 20})
        count = rng.choice((0, 1, 1, 2) if age < 75 else (1, 2, 2, 3) if age < 85 else (1, 2, 3, 3, 4))
        pool = dict(CONDITIONS)
        if record.gender == "male":
            pool["前列腺增生"] = 10
        if age >= 85:
            pool.update(OLD_AGE_CONDITIONS)
        conditions = []
        for _ in range(count):
            condition = _weighted(rng, pool)
            if condition not in conditions:
                conditions.append(condition)
        if record.category == Category.LIXIU:
            entitlement = "离休干部医疗费单列，按规定全额保障"
            hospital = CITY_HOSPITAL if rng.random() < 0.4 else f"{self.county_name}人民医院"
        else:
            entitlement = "城镇职工基本医疗保险" + ("、公务员医疗补助" if unit_kind != "enterprise" else "")
            hospital = f"{self.county_name}{rng.choice(('人民医院', '人民医院', '中医院'))}"
        if record.lives_elsewhere:
            hospital = f"{record.elsewhere_place}第一人民医院"
            entitlement += "（异地就医备案）"
        end = _alive_until(record)
        checkup = _days(rng, end - datetime.timedelta(days=540), end - datetime.timedelta(days=20))
        summary = "；".join(CHECKUP_NOTES[c] for c in conditions if c in CHECKUP_NOTES) or "各项指标基本正常"
        disabilities = ""
        if record.self_care == SelfCare.DEPENDENT:
            disabilities = rng.choice(("行动不便，需轮椅", "长期卧床", "行动不便，需专人照护"))
        elif "听力下降" in conditions:
            disabilities = "听力下降，佩戴助听器"
        self.files.health.append(HealthRecord(
            person=record.uid, status=status, chronic_conditions="、".join(conditions), disabilities=disabilities,
            medical_entitlement=entitlement, contract_hospital=hospital, last_checkup_on=checkup,
            checkup_summary=summary, notes="青霉素过敏" if rng.random() < 0.05 else ""))
        return conditions, hospital

    # --- family ---

    def family(self, record):
        """The contacts of one person; returns (spouse or None, children)."""
        rng, age = self.rng, _age(record)
        deceased = record.deceased_on is not None
        spouse = None
        if rng.random() < 0.95 or record.living_status == LivingStatus.WITH_SPOUSE:
            if record.living_status in (LivingStatus.WITH_SPOUSE, LivingStatus.EMPTY_NEST) or deceased:
                alive = True
            elif record.living_status == LivingStatus.ALONE:
                alive = False
            else:
                alive = rng.random() < (0.9 if age < 75 else 0.75 if age < 85 else 0.55 if age < 90 else 0.35)
            together = alive and not deceased and record.living_status in (
                LivingStatus.WITH_SPOUSE, LivingStatus.EMPTY_NEST, LivingStatus.WITH_CHILDREN)
            spouse = ContactRecord(
                uid=self.uid(), person=record.uid, relation=Relation.SPOUSE,
                name=full_name(rng, "female" if record.gender == "male" else "male"),
                phone=self.mobile() if alive and rng.random() < 0.7 else "", alive=alive, lives_together=together,
                is_survivor=deceased and alive, note="" if alive else "已故")
        born = record.birth_date.year
        count = _weighted(rng, {1: 15, 2: 35, 3: 50} if born < 1940 else {1: 25, 2: 45, 3: 30} if born < 1955
                          else {1: 60, 2: 35, 3: 5})
        father = record.name if record.gender == "male" else (spouse.name if spouse else record.name)
        children = []
        for n in range(count):
            gender = rng.choice(("male", "female"))
            city = rng.choice(CHILD_CITIES)
            if record.lives_elsewhere and n == 0:
                city = record.elsewhere_place
            together = (n == 0 and not deceased
                        and (record.living_status == LivingStatus.WITH_CHILDREN or record.lives_elsewhere))
            children.append(ContactRecord(
                uid=self.uid(), person=record.uid, relation=Relation.CHILD,
                name=_surname(father) + given_name(rng, gender), phone=self.mobile(), lives_together=together,
                dependant=rng.random() < 0.01, note="同住" if together else f"在{city}工作"))
        # One emergency contact: a child nearby, else the spouse, else the first child.
        nearby = [c for c in children if c.lives_together or "本县" in c.note]
        chosen = (nearby[0] if nearby else spouse if spouse and spouse.alive and spouse.phone else
                  children[0] if children else None)
        for contact in ([spouse] if spouse else []) + children:
            self.files.contacts.append(replace(contact, is_emergency=chosen is not None and contact.uid == chosen.uid))
        return spouse, children

    # --- honours ---

    def honours(self, record):
        rng = self.rng
        if record.category == Category.LIXIU:
            if record.joined_revolution_on and record.joined_revolution_on <= datetime.date(1945, 9, 2) and \
                    (record.deceased_on is None or record.deceased_on.year > 2015):
                self._honour(record, "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念章", datetime.date(2015, 9, 3),
                             "中共中央、国务院、中央军委")
            if record.deceased_on is None or record.deceased_on.year > 2019:
                self._honour(record, "庆祝中华人民共和国成立70周年纪念章", datetime.date(2019, 9, 29),
                             "中共中央、国务院、中央军委")
        joined = record.joined_party_on
        if record.political_status in CPC_STATUSES and joined:
            year = max(2021, joined.year + 50 + (1 if (joined.month, joined.day) > (7, 1) else 0))
            awarded = datetime.date(year, 7, 1)
            if awarded <= REFERENCE_DATE and (record.deceased_on is None or record.deceased_on > awarded):
                self._honour(record, "“光荣在党50年”纪念章", awarded, "中共中央")
        if rng.random() < 0.12:
            title, by = _weighted(rng, HONOUR_TITLES)
            start = record.joined_work_on
            end = min(record.retired_on + datetime.timedelta(days=365 * 8), _alive_until(record))
            if title.startswith(("离退休", "全县老干部")):
                start = record.retired_on
            self._honour(record, title, _days(rng, start, end), by.replace("县", self.county_name, 1)
                         if by.startswith("县") else by, kind=HonourKind.AWARD)

    def _honour(self, record, title, day, by, kind=HonourKind.AWARD):
        self.files.honours.append(HonourRecord(person=record.uid, kind=kind, title=title, awarded_on=day,
                                               awarded_by=by))

    # --- life events ---

    def events(self, record, conditions, hospital, spouse, children):
        rng, age = self.rng, _age(record)
        end = _alive_until(record)
        add = self.files.events.append
        if record.lives_elsewhere:
            moved = _days(rng, max(record.retired_on, datetime.date(2008, 1, 1)), datetime.date(2024, 12, 31))
            add(EventRecord(person=record.uid, kind=LifeEventKind.RELOCATION, starts_on=min(moved, end),
                            place=record.elsewhere_place, reason="随子女生活",
                            note="已办理异地安置备案和异地就医备案"))
        stays = rng.random() < (0.10 if age < 75 else 0.22 if age < 85 else 0.35)
        if record.deceased_on:
            stays = stays or rng.random() < 0.5
        if stays:
            department, diagnosis = self._stay(conditions)
            start = _days(rng, end - datetime.timedelta(days=700), end - datetime.timedelta(days=40))
            add(EventRecord(person=record.uid, kind=LifeEventKind.HOSPITAL, starts_on=start,
                            ends_on=start + datetime.timedelta(days=rng.randint(4, 25)), place=hospital,
                            department=department, reason="住院治疗", diagnosis=diagnosis))
        if record.deceased_on is None and not record.lives_elsewhere:
            if rng.random() < (0.006 if age < 80 else 0.02):  # in hospital now
                department, diagnosis = self._stay(conditions)
                add(EventRecord(person=record.uid, kind=LifeEventKind.HOSPITAL,
                                starts_on=REFERENCE_DATE - datetime.timedelta(days=rng.randint(1, 20)), place=hospital,
                                department=department, reason="住院治疗", diagnosis=diagnosis))
            if age < 85 and record.self_care == SelfCare.INDEPENDENT and rng.random() < 0.05:
                self._away(record)
            if age < 80 and rng.random() < 0.01:
                start = _days(rng, datetime.date(2023, 3, 1), datetime.date(2026, 6, 30))
                add(EventRecord(person=record.uid, kind=LifeEventKind.ABROAD, starts_on=start,
                                ends_on=start + datetime.timedelta(days=rng.randint(20, 120)),
                                place=rng.choice(ABROAD_PLACES), reason="探亲访友", note="出行前已向原单位报备"))
        if record.deceased_on:
            recipient = spouse.name if spouse and spouse.alive else (children[0].name if children else "")
            farewell = rng.choice(("在县殡仪馆举行遗体告别仪式", "在县殡仪馆举行遗体告别仪式",
                                   "遵照本人遗愿，丧事从简", "遗体捐献，举行简朴告别仪式"))
            add(EventRecord(person=record.uid, kind=LifeEventKind.DEATH, starts_on=record.deceased_on,
                            place=hospital if rng.random() < 0.7 else "家中", reason="因病医治无效",
                            diagnosis=rng.choice(CAUSES_OF_DEATH), farewell=farewell, pension_recipient=recipient,
                            note="丧葬费、抚恤金已按规定发放"))

    def _stay(self, conditions):
        known = [c for c in conditions if c in STAYS]
        return STAYS[self.rng.choice(known)] if known else self.rng.choice(GENERAL_STAYS)

    def _away(self, record):
        rng = self.rng
        place = rng.choice(WINTER_PLACES)
        if rng.random() < 0.5:  # away for this winter now
            event = EventRecord(person=record.uid, kind=LifeEventKind.AWAY,
                                starts_on=REFERENCE_DATE - datetime.timedelta(days=rng.randint(3, 25)), place=place,
                                reason="外出过冬", note="预计明年3月返回；紧急联系人已登记")
        else:
            start = datetime.date(rng.choice((2024, 2025)), 11, rng.randint(1, 28))
            event = EventRecord(person=record.uid, kind=LifeEventKind.AWAY, starts_on=start,
                                ends_on=start + datetime.timedelta(days=rng.randint(90, 140)), place=place,
                                reason="外出过冬")
        self.files.events.append(event)



def generate_files(rng, records, *, county_name, unit_kinds):
    """FileRecords for ``records`` (PersonRecords of one county); ``unit_kinds`` maps unit codes to their kind."""
    generator = _FileGenerator(rng, county_name, (r.phone for r in records if r.phone))
    for record in records:
        conditions, hospital = generator.health(record, unit_kinds.get(record.unit, ""))
        spouse, children = generator.family(record)
        generator.honours(record)
        generator.events(record, conditions, hospital, spouse, children)
    return generator.files
