"""A large, realistic roster for benchmarks and tests: ``make_sample_roster(path, rows)``.

Written in constant memory with XlsxWriter: a merged title row, the header, ``rows`` people with valid and
unique ID numbers, Chinese names, mixed date formats (1968.09, 1975年7月, 2010-06-01), and a 合计 row and a
signature line at the bottom, as offices send them.
"""

import datetime
import random

import xlsxwriter

from yinfa.people import idnumbers

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "国华建军秀英明玉兰桂芳志强文德春梅永福淑珍海生金凤立新红卫东宝荣光辉成林素琴德胜兴家振华凤英学义"
AREAS = ("379921", "370102", "370103", "370181", "370124", "110101", "320102", "330106", "420102", "510104")
POSITIONS = ("科员", "科长", "副科长", "局长", "副局长", "主任", "副主任", "处长", "调研员", "会计")
LEVELS = ("正乡科级", "副乡科级", "正县处级", "副县处级", "科员办事员及其他")
LIVING = ("与配偶同住", "与子女同住", "独居", "空巢", "养老机构")
SELF_CARE = ("自理", "自理", "自理", "半自理", "不能自理")
POLITICAL = ("中共党员", "中共党员", "群众", "民盟")
STREETS = ("城关镇东门街", "人民路", "解放路", "建设路", "文化路", "和平街")

HEADERS = ("序号", "姓名", "性别", "民族", "出生日期", "身份证号码", "离退休类别", "参加工作时间", "参加革命工作时间",
           "入党时间", "原职务", "职级", "政治面貌", "联系电话", "家庭住址", "居住状况", "自理能力")


def _person(n, rng):
    lixiu = rng.random() < 0.07
    born = datetime.date(1925 + rng.randrange(8), 1 + rng.randrange(12), 1 + rng.randrange(28)) if lixiu else \
        datetime.date(1935 + rng.randrange(30), 1 + rng.randrange(12), 1 + rng.randrange(28))
    male = rng.random() < 0.6
    # Unique by construction: (area, birth date, sequence) differs for every n.
    area = AREAS[n % len(AREAS)]
    sequence = (n // len(AREAS)) % 500 * 2 + (1 if male else 0)
    born = born.replace(day=1 + (n // (len(AREAS) * 500)) % 28)
    number = idnumbers.make(area, born, sequence)
    joined = born.replace(year=born.year + 18 + rng.randrange(6), day=1)
    revolution = datetime.date(1940 + rng.randrange(9), 1 + rng.randrange(12), 1) if lixiu else None
    return [
        n, rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "男" if male else "女", "汉族", born.strftime("%Y.%m"), number, "离休" if lixiu else "退休",
        joined.strftime("%Y.%m") if n % 2 else f"{joined.year}年{joined.month}月",
        revolution.strftime("%Y-%m-%d") if revolution else "",
        f"{joined.year + 5}年{1 + rng.randrange(12)}月" if rng.random() < 0.7 else "",
        rng.choice(POSITIONS), rng.choice(LEVELS), rng.choice(POLITICAL),
        f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        f"{rng.choice(STREETS)}{1 + rng.randrange(200)}号", rng.choice(LIVING), rng.choice(SELF_CARE),
    ]


def make_sample_roster(path, rows, *, seed=2026):
    """Write a roster of ``rows`` people to ``path`` (.xlsx); returns the number of data rows written."""
    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    title = workbook.add_format({"bold": True, "align": "center", "font_size": 16})
    text = workbook.add_format({"num_format": "@"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "离退休干部花名册", title)
    sheet.write_row(1, 0, HEADERS)
    for n in range(1, rows + 1):
        for col, value in enumerate(_person(n, rng)):
            if isinstance(value, int):
                sheet.write_number(n + 1, col, value)
            elif value:
                sheet.write_string(n + 1, col, value, text)
    sheet.write_row(rows + 2, 0, ["合计", f"{rows}人"])
    sheet.write_row(rows + 4, 0, ["填表人：", "", "", "审核人：", "", "", "单位盖章："])
    workbook.close()
    return rows


def time_bare_parse(path):
    """(rows, seconds) for the safety check and reading of ``path`` alone, as a benchmark's baseline."""
    import time

    from yinfa.people.imports.reader import SourceRow, read_roster
    from yinfa.people.imports.safety import check_file

    started = time.perf_counter()
    rows = sum(1 for item in read_roster(check_file(path, str(path))).rows() if isinstance(item, SourceRow))
    return rows, time.perf_counter() - started


if __name__ == "__main__":  # python -m yinfa.people.imports.sample make|parse PATH [ROWS]
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")
    django.setup()
    action, target = sys.argv[1], sys.argv[2]
    if action == "make":
        print(f"{make_sample_roster(target, int(sys.argv[3]))} rows written to {target}")
    else:
        count, seconds = time_bare_parse(target)
        print(f"bare parse (safety check + read): {count} rows in {seconds:.2f} s, {count / seconds:,.0f} rows/s")
