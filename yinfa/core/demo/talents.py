"""The parts of a demo person that are plain fields of the file: 待遇 (treatment) with its approval, native place,
landline, party roles, and talents (专业特长, 爱好, 社会兼职, 返聘) for the 银发人才库.

``extras(rng, record, unit, county)`` draws them for one generated person (no database).
"""

import datetime

from yinfa.core.demo import REFERENCE_DATE
from yinfa.core.models import UnitKind
from yinfa.people.models import CPC_STATUSES, Category, Level

LEVEL_ORDER = list(Level.values)  # from the highest

NATIVE_PLACES = ("山东省莱阳县 河北省献县 河南省林县 江苏省沭阳县 安徽省金寨县 湖南省平江县 湖北省红安县 江西省兴国县 "
                 "山西省武乡县 陕西省米脂县 四川省仪陇县 浙江省诸暨市 福建省长汀县 辽宁省海城县").split()

# Specialties by the kind of unit (and for organs, by what the unit does).
SPECIALTIES = {
    "hospital": ("中医内科，擅长老年慢病调理", "心血管内科", "普外科", "儿科", "妇产科", "护理管理", "针灸推拿",
                 "医学影像", "药学"),
    "school": ("中学语文教学", "中学数学教学", "中学物理教学", "英语教学", "小学教育", "书法教学", "音乐教育",
               "教育管理", "职业技术教育"),
    UnitKind.ENTERPRISE: ("电力工程", "供水工程", "财务会计", "机械维修", "粮食仓储", "金融信贷", "企业管理"),
    UnitKind.INSTITUTION: ("新闻采编", "播音主持", "摄影摄像"),
    UnitKind.ORGAN: ("公文写作", "党史研究", "地方志编纂", "调查研究"),
}
# Organs whose name holds the word: their retirees' specialties.
ORGAN_SPECIALTIES = {
    "水利": ("水利工程",), "农业": ("农业技术推广", "果树栽培"), "林业": ("林业技术",),
    "法院": ("法律咨询", "人民调解"), "检察": ("法律咨询",), "司法": ("法律咨询", "人民调解"),
    "财政": ("财务审计",), "审计": ("财务审计",), "住房": ("建筑工程",), "交通": ("道路桥梁工程",),
    "自然资源": ("土地测绘",), "卫生": ("公共卫生",), "统计": ("统计分析",), "文化": ("文物保护", "群众文化"),
}
HOBBIES = {"书法": 14, "绘画": 6, "太极拳": 12, "戏曲": 8, "京剧": 4, "门球": 6, "钓鱼": 8, "摄影": 7, "合唱": 8,
           "诗词": 6, "象棋": 7, "园艺": 8, "旅游": 9, "乒乓球": 5, "八段锦": 6, "二胡": 3, "广场舞": 6, "读书看报": 10}
SOCIAL_POSITIONS = ("县关心下一代工作委员会副主任", "县老年大学兼职教师", "社区党建顾问", "县书法家协会会员",
                    "县老年人体育协会理事", "县诗词学会会长", "社区网格员", "楼栋长", "县老干部宣讲团成员",
                    "县老科协会员", "社区老年协会会长", "人民调解员")
PARTY_ROLES = {"支部书记": 3, "支部委员": 6, "党小组长": 6}


def position_kind(unit):
    """hospital, school, or the unit kind: decides positions and specialties."""
    if unit.unit_kind == UnitKind.INSTITUTION:
        if "医院" in unit.name:
            return "hospital"
        if "学" in unit.name or "教育" in unit.name:
            return "school"
    return unit.unit_kind


def _specialty_pool(unit):
    kind = position_kind(unit)
    if kind == UnitKind.ORGAN:
        for word, pool in ORGAN_SPECIALTIES.items():
            if word in unit.name:
                return pool, 0.25
        return SPECIALTIES[UnitKind.ORGAN], 0.08
    return SPECIALTIES[kind], 0.35 if kind in ("hospital", "school") else 0.15


def _one_level_up(level):
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[max(0, index - 1)]


def _approval(rng, county, day):
    return f"{county.name[0]}组干〔{day.year}〕{rng.randint(3, 120)}号"


def extras(rng, record, unit, county):
    """A dict of PersonRecord fields beyond identity, career and anchors, drawn for ``record``."""
    lixiu = record.category == Category.LIXIU
    age = record.age_on(REFERENCE_DATE)
    values = {}
    # 待遇: half the 离休 cadres and a few 退休 enjoy one level above their post (批准时间, 批准文号).
    if rng.random() < (0.5 if lixiu else 0.12) and record.level != LEVEL_ORDER[0]:
        approved = record.retired_on + datetime.timedelta(days=rng.randint(0, 400))
        values.update(treatment=_one_level_up(record.level), treatment_approved_on=min(approved, REFERENCE_DATE),
                      treatment_approval_no=_approval(rng, county, min(approved, REFERENCE_DATE)))
    else:
        values.update(treatment=record.level)
    values["native_place"] = county.name if rng.random() < 0.6 else rng.choice(NATIVE_PLACES)
    if rng.random() < (0.35 if age >= 80 else 0.2):
        values["landline"] = f"0{county.area_code[2:5]}-{rng.randint(2000000, 8999999)}"
    if record.political_status in CPC_STATUSES and record.deceased_on is None and age < 90:
        roll = rng.random() * 100
        for role, share in PARTY_ROLES.items():
            if roll < share:
                values["party_roles"] = role
                break
            roll -= share
    pool, share = _specialty_pool(unit)
    if rng.random() < share:
        values["specialties"] = "、".join(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))))
    if rng.random() < (0.35 if age >= 88 else 0.7):
        hobbies = set()
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            hobbies.add(rng.choices(list(HOBBIES), weights=list(HOBBIES.values()))[0])
        values["hobbies"] = "、".join(sorted(hobbies, key=list(HOBBIES).index))
    if age < 85 and rng.random() < (0.15 if values.get("specialties") else 0.04):
        values["social_positions"] = "、".join(rng.sample(SOCIAL_POSITIONS, rng.choice((1, 1, 2))))
    if values.get("specialties") and not lixiu and age < 72 and record.deceased_on is None:
        values["rehired"] = rng.random() < 0.3
    return values
