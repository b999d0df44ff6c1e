"""The columns a roster may have: the person field each feeds, and the Chinese headers offices use for it.

Headers are matched after ``header_key``: spaces, line breaks, "*" marks and notes in brackets
(``出生日期（年月）``) are dropped, full-width characters folded. Chinese headers are data, not UI text.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    field: str  # a Person field, or a pseudo-field handled by the importer (community, unit_name…)
    label: str  # the header the template uses (the first synonym)
    synonyms: tuple
    kind: str  # text, id, date, gender, category, choice, phone, bool, community, ignored
    help: str = ""
    example: str = ""
    required: bool = False


COLUMNS = (
    Column("name", "姓名", ("姓名", "名字", "老干部姓名", "离退休干部姓名"), "text",
           _("Required."), "张建国", required=True),
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "身份证", "公民身份证号码",
                                   "居民身份证号码", "证件号码"), "id",
           _("Required. 18 characters (old 15-digit numbers are upgraded). Format the column as text."),
           "110101195005121234", required=True),
    Column("gender", "性别", ("性别",), "gender", _("男 or 女. When empty, taken from the ID number."), "男"),
    Column("ethnicity", "民族", ("民族",), "text", "", "汉族"),
    Column("birth_date", "出生日期", ("出生日期", "出生年月", "出生时间", "出生年月日"), "date",
           _("Must agree with the ID number. When empty, taken from the ID number."), "1950-05-12"),
    Column("native_place", "籍贯", ("籍贯",), "text", "", "山东济南"),
    Column("former_name", "曾用名", ("曾用名",), "text", "", ""),
    Column("category", "离退休类别", ("离退休类别", "类别", "离休退休", "离退休", "人员类别", "离退休情况"),
           "category", _("离休 or 退休. Required for a new person unless the date of joining revolutionary "
                         "work decides it."), "退休"),
    Column("joined_work_on", "参加工作时间", ("参加工作时间", "参加工作日期", "工作时间"), "date", "", "1968.09"),
    Column("joined_revolution_on", "参加革命工作时间", ("参加革命工作时间", "参加革命时间", "参加革命工作日期"),
           "date", _("Before 1949-10-01 for a lixiu cadre."), ""),
    Column("joined_party_on", "入党时间", ("入党时间", "入党日期", "入党年月"), "date", "", "1975年7月"),
    Column("retired_on", "离退休时间", ("离退休时间", "离休时间", "退休时间", "离退休日期", "退休日期", "离休日期"),
           "date", "", "2010-06"),
    Column("unit_name", "原工作单位", ("原工作单位", "原单位", "工作单位", "原工作单位及职务"), "ignored",
           _("For your reference only: everyone in the file is imported into the unit you choose."), ""),
    Column("former_position", "原职务", ("原职务", "职务", "原任职务", "退休前职务"), "text", "", "科长"),
    Column("level", "职级", ("职级", "职级待遇", "原职级"), "level", "", "正乡科级"),
    Column("treatment", "现享受待遇", ("现享受待遇", "享受待遇", "待遇", "待遇级别"), "level", "", "副县处级"),
    Column("political_status", "政治面貌", ("政治面貌",), "political", _("中共党员, 预备党员, 群众, a democratic "
                                                                    "party…"), "中共党员"),
    Column("phone", "联系电话", ("联系电话", "手机", "手机号码", "电话", "手机号", "联系方式", "电话号码"),
           "phone", _("A mobile or landline number; a second number goes to the landline."), "13800138000"),
    Column("landline", "固定电话", ("固定电话", "座机", "家庭电话", "住宅电话"), "phone", "", ""),
    Column("address", "家庭住址", ("家庭住址", "住址", "现住址", "居住地址", "家庭地址", "现居住地址"), "text",
           "", "城关镇东门街12号"),
    Column("community", "居住社区", ("居住社区", "所在社区", "社区", "现居住社区"), "community",
           _("The name of a community in your scope, as in the organisation tree."), ""),
    Column("living_status", "居住状况", ("居住状况", "居住情况", "居住状态"), "living",
           "独居, 空巢, 与配偶同住, 与子女同住, 养老机构", "与配偶同住"),
    Column("self_care", "自理能力", ("自理能力", "生活自理能力", "健康状况", "身体状况", "活动能力"), "self_care",
           "自理, 半自理, 不能自理", "自理"),
    Column("lives_elsewhere", "异地安置", ("异地安置", "是否异地安置", "异地居住"), "elsewhere",
           _("是 or 否, or the place where the person lives."), "否"),
    Column("elsewhere_place", "异地安置地点", ("异地安置地点", "安置地", "异地居住地"), "text", "", ""),
    Column("specialties", "专业特长", ("专业特长", "特长"), "text", "", ""),
    Column("hobbies", "兴趣爱好", ("兴趣爱好", "爱好"), "text", "", ""),
    # Known but not imported: they help to recognise the header row.
    Column("serial", "序号", ("序号", "编号", "顺序号"), "ignored", "", ""),
    Column("remarks", "备注", ("备注", "说明"), "ignored", "", ""),
    Column("age", "年龄", ("年龄", "周岁"), "ignored", _("Not imported: the age is computed from the date of "
                                                        "birth."), ""),
)

BY_FIELD = {column.field: column for column in COLUMNS}

_FULL_WIDTH = str.maketrans("（）【】［］：　", "()[][]: ")
_NOTES = re.compile(r"\(.*?\)|\[.*?\]")
_NOISE = re.compile(r"[\s*＊:：]+")


def header_key(text) -> str:
    """A header reduced for matching: 出生日期（年月）→ 出生日期; '* 身份证号' → 身份证号."""
    if text is None:
        return ""
    text = str(text).translate(_FULL_WIDTH)
    text = _NOTES.sub("", text)
    return _NOISE.sub("", text)


SYNONYMS = {header_key(synonym): column for column in COLUMNS for synonym in column.synonyms}


def column_for_header(text):
    """The Column a header names, or None."""
    return SYNONYMS.get(header_key(text))
