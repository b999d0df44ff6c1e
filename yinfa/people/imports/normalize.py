"""Cell values of a roster → the values of a person file. Each parser raises ``CellError`` with a reason.

Decisions (documented here because users will ask):
- Dates give a precision: ``1945.03`` is March 1945 (stored as 1945-03-01, compared by month); a number cell
  holding ``1945.1`` is refused as ambiguous (Excel drops the zero of ``1945.10``).
- Optional values that the importer does not recognise (a level, a political status, a living situation…)
  are errors naming the column, never silently dropped; an empty cell is simply not imported.
"""

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from yinfa.core.models import normalize_mobile
from yinfa.people import idnumbers
from yinfa.people.models import Category, Gender, Level, LivingStatus, PoliticalStatus, SelfCare

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－／：　（）", "0123456789.-/: ()")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers of plausible dates (1900-01-01 … 2119-10-19).
_SERIAL_RANGE = (1, 80000)
EARLIEST_YEAR = 1880
LATEST_YEAR = 2100
DAY = "day"
MONTH = "month"


class CellError(ValueError):
    """A cell that cannot be imported; ``reason`` is for people."""

    def __init__(self, reason):
        self.reason = str(reason)
        super().__init__(self.reason)


@dataclass(frozen=True)
class PartialDate:
    """A date as precise as the sheet gave it: a day, or a month (stored as its first day)."""

    value: datetime.date
    precision: str = DAY

    def same_as(self, other: datetime.date | None) -> bool:
        """Whether ``other`` (a stored date) says the same as this, at this precision."""
        if other is None:
            return False
        if self.precision == MONTH:
            return (other.year, other.month) == (self.value.year, self.value.month)
        return other == self.value


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """A cell as clean text: numbers without a trailing .0, inner whitespace runs collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).replace("\u3000", " ").split())


# --- dates -------------------------------------------------------------------------------------------------

_DATE_SEPARATED = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*日?|月)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _make(year, month, day=None) -> PartialDate:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise CellError(_("The year %(year)s is not plausible.") % {"year": year})
    if not 1 <= month <= 12:
        raise CellError(_("There is no month %(month)s.") % {"month": month})
    if day is None:
        return PartialDate(datetime.date(year, month, 1), MONTH)
    try:
        return PartialDate(datetime.date(year, month, day), DAY)
    except ValueError:
        raise CellError(_("%(year)s-%(month)s-%(day)s is not a real date.") % {
            "year": year, "month": month, "day": day}) from None


def _from_number(value) -> PartialDate:
    if isinstance(value, float) and not value.is_integer():
        # 1945.03 typed into a number cell; 1945.1 may have been 1945.10 before Excel dropped the zero.
        whole, fraction = f"{value:.6f}".rstrip("0").split(".")
        if len(whole) == 4 and len(fraction) in (1, 2):
            if fraction == "1":
                raise CellError(_("%(value)s in a number cell is ambiguous: January or October? Type 1945.01 "
                                  "or 1945.10 in a text cell.") % {"value": whole + ".1"})
            return _make(int(whole), int(fraction))
        raise CellError(_("“%(value)s” is not a date.") % {"value": value})
    number = int(value)
    digits = str(number)
    if len(digits) in (6, 8) and digits[:2] in ("18", "19", "20"):
        return _from_text(digits)
    if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1] and not EARLIEST_YEAR <= number <= LATEST_YEAR:
        return PartialDate(_EXCEL_EPOCH + datetime.timedelta(days=number), DAY)
    raise CellError(_("“%(value)s” is not a date; give at least the year and the month.") % {"value": number})


def _from_text(raw: str) -> PartialDate:
    value = raw.translate(_FULL_WIDTH).strip()
    value = _TIME_TAIL.sub("", value).strip()
    match = _DATE_SEPARATED.match(value)
    if match:
        year, month, day = match.groups()
        return _make(int(year), int(month), int(day) if day else None)
    match = _DATE_COMPACT.match(value)
    if match:
        year, month, day = match.groups()
        return _make(int(year), int(month), int(day) if day else None)
    raise CellError(_("“%(value)s” is not a date we can read; write it like 1945-03-07, 1945.03 or "
                      "1945年3月.") % {"value": raw.strip()[:40]})


@lru_cache(maxsize=65536, typed=True)
def parse_date(value) -> PartialDate:
    """A roster date cell → PartialDate (raises CellError). Blank cells are the caller's business."""
    if isinstance(value, datetime.datetime):
        return _make(value.year, value.month, value.day)
    if isinstance(value, datetime.date):
        return _make(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date.") % {"value": value})
    if isinstance(value, int | float):
        return _from_number(value)
    return _from_text(str(value))


# --- ID numbers --------------------------------------------------------------------------------------------

_CLEAN_ID = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK = "10X98765432"


def _fast_id(number: str):
    """An already clean 18-character number, checked without stdnum (the common case, ~1 µs); None when
    anything is off, so that ``idnumbers.parse`` gives the exact reason."""
    if _CHECK[sum(int(d) * w for d, w in zip(number, _WEIGHTS, strict=False)) % 11] != number[17]:
        return None
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if not idnumbers.EARLIEST_BIRTH <= born <= datetime.date.today():
        return None
    return idnumbers.IdNumber(number=number, birth_date=born, gender=idnumbers.gender_of(number))


def parse_id_number(value) -> idnumbers.IdNumber:
    """Normalise, upgrade and validate an ID number cell (raises CellError).

    A number cell of 16 or more digits cannot hold an ID exactly (Excel keeps 15 significant digits), nor
    can the text of such a number (``3.79921195503081E+17``, or 18 digits ending in 000 that fail the check).
    """
    if isinstance(value, bool):
        raise CellError(idnumbers.IdNumberError("format").message)
    if isinstance(value, int) and value >= 10**15:
        raise CellError(idnumbers.IdNumberError("excel_number").message)
    if isinstance(value, float) and value >= 1e15:
        raise CellError(idnumbers.IdNumberError("excel_number").message)
    if isinstance(value, str) and _CLEAN_ID.match(value):
        parsed = _fast_id(value)
        if parsed is not None:
            return parsed
    try:
        return idnumbers.parse(value)
    except idnumbers.IdNumberError as exc:
        normalized = idnumbers.normalize(value)
        if exc.code == "checksum" and normalized.endswith("000"):
            raise CellError(idnumbers.IdNumberError("excel_number").message) from None
        raise CellError(exc.message) from None


# --- choices -----------------------------------------------------------------------------------------------

def _fold(value) -> str:
    return re.sub(r"[\s\u3000]+", "", text(value)).translate(_FULL_WIDTH).lower()


GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
           "女": Gender.FEMALE, "女性": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE}
CATEGORIES = {"离休": Category.LIXIU, "离休干部": Category.LIXIU, "离": Category.LIXIU, "离休人员": Category.LIXIU,
              "退休": Category.TUIXIU, "退休干部": Category.TUIXIU, "退": Category.TUIXIU,
              "退休人员": Category.TUIXIU}
_DEMOCRATIC_PARTIES = ("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟", "民主党派",
                       "中国国民党革命委员会", "中国民主同盟", "中国民主建国会", "中国民主促进会",
                       "中国农工民主党", "中国致公党", "台湾民主自治同盟")
POLITICAL = {
    "中共党员": PoliticalStatus.PARTY_MEMBER, "党员": PoliticalStatus.PARTY_MEMBER,
    "中国共产党党员": PoliticalStatus.PARTY_MEMBER, "共产党员": PoliticalStatus.PARTY_MEMBER,
    "中共正式党员": PoliticalStatus.PARTY_MEMBER, "正式党员": PoliticalStatus.PARTY_MEMBER,
    "中共预备党员": PoliticalStatus.PROBATIONARY, "预备党员": PoliticalStatus.PROBATIONARY,
    "群众": PoliticalStatus.MASSES, "无党派": PoliticalStatus.MASSES, "无党派人士": PoliticalStatus.MASSES,
    "无": PoliticalStatus.MASSES,
    **{name: PoliticalStatus.DEMOCRATIC_PARTY for name in _DEMOCRATIC_PARTIES},
    **{f"{name}党员": PoliticalStatus.DEMOCRATIC_PARTY for name in _DEMOCRATIC_PARTIES},
    **{f"{name}会员": PoliticalStatus.DEMOCRATIC_PARTY for name in _DEMOCRATIC_PARTIES},
    **{f"{name}社员": PoliticalStatus.DEMOCRATIC_PARTY for name in _DEMOCRATIC_PARTIES},
    **{f"{name}盟员": PoliticalStatus.DEMOCRATIC_PARTY for name in _DEMOCRATIC_PARTIES},
}
LIVING = {
    "独居": LivingStatus.ALONE, "一人居住": LivingStatus.ALONE, "单独居住": LivingStatus.ALONE,
    "空巢": LivingStatus.EMPTY_NEST, "空巢老人": LivingStatus.EMPTY_NEST,
    "与配偶同住": LivingStatus.WITH_SPOUSE, "与配偶居住": LivingStatus.WITH_SPOUSE,
    "夫妻同住": LivingStatus.WITH_SPOUSE, "与老伴同住": LivingStatus.WITH_SPOUSE, "与配偶": LivingStatus.WITH_SPOUSE,
    "与子女同住": LivingStatus.WITH_CHILDREN, "与子女居住": LivingStatus.WITH_CHILDREN,
    "与子女": LivingStatus.WITH_CHILDREN, "随子女居住": LivingStatus.WITH_CHILDREN,
    "养老机构": LivingStatus.CARE_HOME, "入住养老机构": LivingStatus.CARE_HOME, "养老院": LivingStatus.CARE_HOME,
    "敬老院": LivingStatus.CARE_HOME, "福利院": LivingStatus.CARE_HOME,
}
SELF_CARE = {
    "自理": SelfCare.INDEPENDENT, "能自理": SelfCare.INDEPENDENT, "生活自理": SelfCare.INDEPENDENT,
    "完全自理": SelfCare.INDEPENDENT, "可自理": SelfCare.INDEPENDENT, "生活能自理": SelfCare.INDEPENDENT,
    "半自理": SelfCare.PARTLY, "部分自理": SelfCare.PARTLY, "基本自理": SelfCare.PARTLY,
    "半失能": SelfCare.PARTLY, "部分失能": SelfCare.PARTLY,
    "不能自理": SelfCare.DEPENDENT, "不自理": SelfCare.DEPENDENT, "无法自理": SelfCare.DEPENDENT,
    "生活不能自理": SelfCare.DEPENDENT, "失能": SelfCare.DEPENDENT, "完全失能": SelfCare.DEPENDENT,
    "完全不能自理": SelfCare.DEPENDENT, "卧床": SelfCare.DEPENDENT, "长期卧床": SelfCare.DEPENDENT,
}
LEVELS = {}
for _level, _names in {
    Level.PROVINCIAL_FULL: ("正省部级", "省部级正职", "正部级", "正省级"),
    Level.PROVINCIAL_DEPUTY: ("副省部级", "省部级副职", "副部级", "副省级"),
    Level.BUREAU_FULL: ("正厅局级", "厅局级正职", "正厅级", "正局级", "正厅", "一级巡视员", "巡视员"),
    Level.BUREAU_DEPUTY: ("副厅局级", "厅局级副职", "副厅级", "副局级", "副厅", "二级巡视员", "副巡视员"),
    Level.COUNTY_FULL: ("正县处级", "县处级正职", "正处级", "正县级", "正处", "一级调研员", "二级调研员", "调研员"),
    Level.COUNTY_DEPUTY: ("副县处级", "县处级副职", "副处级", "副县级", "副处", "三级调研员", "四级调研员",
                          "副调研员"),
    Level.SECTION_FULL: ("正乡科级", "乡科级正职", "正科级", "正乡级", "正科", "一级主任科员", "二级主任科员",
                         "主任科员"),
    Level.SECTION_DEPUTY: ("副乡科级", "乡科级副职", "副科级", "副乡级", "副科", "三级主任科员", "四级主任科员",
                           "副主任科员"),
    Level.CLERK: ("科员办事员及其他", "科员", "办事员", "科员及以下", "一级科员", "二级科员", "其他", "科级以下"),
}.items():
    for _name in _names:
        LEVELS[_name] = _level

YES = {"是", "有", "√", "y", "yes", "true", "1", "异地安置"}
NO = {"否", "无", "不是", "×", "n", "no", "false", "0", "本地"}


@lru_cache(maxsize=65536)
def _fold_cached(value) -> str:
    return _fold(value)


def _choice(value, table, choices_hint):
    key = _fold_cached(value) if isinstance(value, str) else _fold(value)
    if key in table:
        return table[key]
    raise CellError(_("“%(value)s” is not a value we know; use one of: %(choices)s.") % {
        "value": text(value)[:40], "choices": choices_hint})


def parse_gender(value):
    return _choice(value, GENDERS, "男, 女")


def parse_category(value):
    return _choice(value, CATEGORIES, "离休, 退休")


def parse_political(value):
    return _choice(value, POLITICAL, "中共党员, 中共预备党员, 群众, 民革, 民盟, 民建, 民进, 农工党, 致公党, "
                                     "九三学社, 台盟")


def parse_living(value):
    return _choice(value, LIVING, "独居, 空巢, 与配偶同住, 与子女同住, 养老机构")


def parse_self_care(value):
    return _choice(value, SELF_CARE, "自理, 半自理, 不能自理")


def parse_level(value):
    return _choice(value, LEVELS, "正省部级, 副省部级, 正厅局级, 副厅局级, 正县处级, 副县处级, 正乡科级, "
                                  "副乡科级, 科员办事员及其他")


def parse_elsewhere(value) -> tuple[bool, str]:
    """(lives elsewhere?, the place if the cell named one)."""
    key = _fold(value)
    if key in YES:
        return True, ""
    if key in NO:
        return False, ""
    return True, text(value)[:120]


# --- phones ------------------------------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"[、,，;；/]+")
_MOBILES_BY_SPACE = re.compile(r"(?:1\d{10}\s+)+1\d{10}")
_PHONE_CHARS = re.compile(r"^[\d\-+() ]+$")


def _one_phone(value: str) -> str:
    cleaned = value.translate(_FULL_WIDTH).strip()
    if not _PHONE_CHARS.match(cleaned):
        raise CellError(_("“%(value)s” is not a phone number.") % {"value": value[:40]})
    digits = normalize_mobile(cleaned)
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if not 7 <= len(re.sub(r"\D", "", cleaned)) <= 13:
        raise CellError(_("“%(value)s” is not a phone number.") % {"value": value[:40]})
    return re.sub(r"\s+", "", cleaned)


def parse_phones(value) -> list[str]:
    """One or more phone numbers in a cell (``13800138000、0531-88886666``), each cleaned."""
    parts = []
    for part in _PHONE_SPLIT.split(text(value)):
        part = part.strip()
        if _MOBILES_BY_SPACE.fullmatch(part):
            parts.extend(part.split())
        elif part:
            parts.append(part)
    return [_one_phone(part) for part in parts]
