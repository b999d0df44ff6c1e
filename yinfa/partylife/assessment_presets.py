"""The three ready-made assessment templates (六好, 五化, a 100-point star rating), as data, and the star bands.

Item titles and descriptions are content in the users' language (like the default compliance rules), not
interface strings: an administrator edits them freely once the template is created. Each preset totals 100
points; items with a ``source`` are scored from the system's own records (``assessment_metrics``), the others by
hand with evidence.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from yinfa.partylife.models import ItemSource, Scheme

# Stars of a result by its share of the template's total points: (at least this %, stars). Below the last: none.
STAR_BANDS = ((90, 5), (80, 4), (70, 3), (60, 2), (50, 1))
MAX_STARS = 5
# The grade shown for the other schemes, by the same share.
GRADE_BANDS = ((90, _("Excellent")), (80, _("Good")), (60, _("Pass")), (0, _("Below standard")))

# The usual N of a system source when an item leaves it empty, and the range an administrator may choose.
DEFAULT_THRESHOLDS = {
    ItemSource.COMMITTEE_MONTHS: Decimal(10),
    ItemSource.GENERAL_QUARTERS: Decimal(4),
    ItemSource.LECTURE_QUARTERS: Decimal(4),
    ItemSource.COMPLIANCE_RATE: Decimal(90),
    ItemSource.ATTENDANCE_RATE: Decimal(80),
    ItemSource.NO_DUES_ARREARS: Decimal(3),
}
THRESHOLD_RANGES = {
    ItemSource.COMMITTEE_MONTHS: (1, 12),
    ItemSource.GENERAL_QUARTERS: (1, 4),
    ItemSource.LECTURE_QUARTERS: (1, 4),
    ItemSource.COMPLIANCE_RATE: (1, 100),
    ItemSource.ATTENDANCE_RATE: (1, 100),
    ItemSource.NO_DUES_ARREARS: (1, 6),
}


def item(title, points, source=ItemSource.MANUAL, threshold=None, description=""):
    return {"title": title, "points": Decimal(points), "source": source,
            "threshold": None if threshold is None else Decimal(threshold), "description": description}


LIUHAO = {
    "name": "六好党支部评价",
    "scheme": Scheme.LIUHAO,
    "description": "组织设置好、班子建设好、党员队伍好、学习活动好、作用发挥好、制度坚持好，共100分。",
    "items": [
        item("组织设置好：支部书记（委员会）在任，任期未满", 8, ItemSource.COMMITTEE_IN_PLACE,
             description="按期换届；正式党员7人以上的设支部委员会。系统按任期记录评分。"),
        item("组织设置好：党员人数、党小组设置和联络员配备符合规定", 7,
             description="3人以上正式党员、一般不超过50人；党小组划分合理；配备在职联络员。"),
        item("班子建设好：支部委员会每月召开", 10, ItemSource.COMMITTEE_MONTHS, 10,
             description="全年至少N个月召开支部委员会，不足按比例计分。"),
        item("班子建设好：班子团结，分工明确，履职到位", 6,
             description="提供分工文件、述职材料等佐证。"),
        item("党员队伍好：按月足额交纳党费，无拖欠", 8, ItemSource.NO_DUES_ARREARS, 3,
             description="没有党员连续N个月以上未交党费。"),
        item("党员队伍好：党员参加组织生活（含送学上门）", 8, ItemSource.ATTENDANCE_RATE, 80,
             description="全年组织生活参加率（到会或送学上门）不低于N%，不足按比例计分。"),
        item("学习活动好：党课每季度至少一次", 8, ItemSource.LECTURE_QUARTERS, 4,
             description="全年至少N个季度讲党课。"),
        item("学习活动好：主题党日和学习教育内容充实、有记录", 8,
             description="提供活动记录、照片等佐证。"),
        item("作用发挥好：老同志发挥作用（志愿服务、建言献策、关心下一代等）", 12,
             description="提供事迹材料。"),
        item("制度坚持好：三会一课等组织生活按规定落实", 10, ItemSource.COMPLIANCE_RATE, 90,
             description="按系统合规统计，应开已开比例不低于N%，不足按比例计分。"),
        item("制度坚持好：党员大会每季度召开", 8, ItemSource.GENERAL_QUARTERS, 4,
             description="全年至少N个季度召开党员大会。"),
        item("制度坚持好：组织生活会和民主评议党员按期开展", 7,
             description="提供会议记录和评议结果。"),
    ],
}

WUHUA = {
    "name": "支部建设“五化”考评（湖南）",
    "scheme": Scheme.WUHUA,
    "description": "组织设置标准化、组织生活标准化、党员管理标准化、阵地建设标准化、制度落实标准化，各20分，共100分。",
    "items": [
        item("组织设置标准化：支部书记（委员会）在任，任期未满", 10, ItemSource.COMMITTEE_IN_PLACE),
        item("组织设置标准化：党小组设置、联络员配备规范", 10,
             description="提供党小组名单、联络员任命文件。"),
        item("组织生活标准化：三会一课落实", 8, ItemSource.COMPLIANCE_RATE, 90,
             description="应开已开比例不低于N%，不足按比例计分。"),
        item("组织生活标准化：支部委员会每月召开", 6, ItemSource.COMMITTEE_MONTHS, 10),
        item("组织生活标准化：党员大会每季度召开", 6, ItemSource.GENERAL_QUARTERS, 4),
        item("党员管理标准化：党费按时足额交纳", 8, ItemSource.NO_DUES_ARREARS, 3),
        item("党员管理标准化：组织生活参加率（含送学上门）", 6, ItemSource.ATTENDANCE_RATE, 80),
        item("党员管理标准化：党员信息和组织关系管理规范", 6,
             description="组织关系转接及时，党员信息准确。"),
        item("阵地建设标准化：有固定活动场所，标识规范", 10,
             description="提供活动场所照片。"),
        item("阵地建设标准化：党课每季度至少一次", 5, ItemSource.LECTURE_QUARTERS, 4),
        item("阵地建设标准化：学习资料和宣传阵地", 5),
        item("制度落实标准化：组织生活会、民主评议党员按期开展", 10),
        item("制度落实标准化：工作台账和档案资料规范齐全", 10),
    ],
}

STARS = {
    "name": "星级党支部评定（百分制）",
    "scheme": Scheme.STARS,
    "description": "百分制：90分以上五星，80分以上四星，70分以上三星，60分以上二星，50分以上一星。",
    "items": [
        item("班子健全：支部书记（委员会）在任，任期未满", 10, ItemSource.COMMITTEE_IN_PLACE),
        item("支部委员会每月召开", 10, ItemSource.COMMITTEE_MONTHS, 10),
        item("党员大会每季度召开", 10, ItemSource.GENERAL_QUARTERS, 4),
        item("党课每季度至少一次", 10, ItemSource.LECTURE_QUARTERS, 4),
        item("三会一课总体落实", 15, ItemSource.COMPLIANCE_RATE, 90),
        item("组织生活参加率（含送学上门）", 10, ItemSource.ATTENDANCE_RATE, 80),
        item("党费按时足额交纳，无拖欠", 10, ItemSource.NO_DUES_ARREARS, 3),
        item("老同志发挥作用", 15, description="提供志愿服务、建言献策等事迹材料。"),
        item("活动阵地和工作台账", 10, description="提供活动场所照片和台账目录。"),
    ],
}

PRESETS = {Scheme.LIUHAO: LIUHAO, Scheme.WUHUA: WUHUA, Scheme.STARS: STARS}


def preset_total(preset):
    return sum((entry["points"] for entry in preset["items"]), Decimal(0))


def stars_for(total, max_total):
    """Stars (0–5) of ``total`` out of ``max_total`` points by STAR_BANDS; None when either is unknown."""
    if total is None or not max_total:
        return None
    share = Decimal(total) * 100 / Decimal(max_total)
    for at_least, stars in STAR_BANDS:
        if share >= at_least:
            return stars
    return 0


def grade_for(total, max_total):
    """The grade label of ``total`` out of ``max_total`` points by GRADE_BANDS; '' when unknown."""
    if total is None or not max_total:
        return ""
    share = Decimal(total) * 100 / Decimal(max_total)
    for at_least, label in GRADE_BANDS:
        if share >= at_least:
            return label
    return GRADE_BANDS[-1][1]
