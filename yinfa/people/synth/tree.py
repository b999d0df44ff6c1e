"""The synthetic province's organisation tree: province bureau → cities → counties shaped like the demo county."""

import dataclasses
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from yinfa.core.demo.blueprint import QINGHE_STREETS, QINGHE_UNITS, Builder, CountyPlan, plan_county
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.services.org import path_for

PROVINCE_CODE = "SY"
PROVINCE_NAME = "华阳省委老干部局"
COUNTIES_PER_CITY = 12
NODE_BATCH = 5000

_FIRST = "东西南北青白金云龙凤安平长永兴宁清华新丰泰和嘉景文德福庆瑞临"
_SECOND = "阳川山江河州源林泉溪原峰湖岭城塘桥坪滨沙"
_PLACE_NAMES = [a + b for a in _FIRST for b in _SECOND if a != b]
random.Random("synth place names").shuffle(_PLACE_NAMES)


def place_name(index):
    """A fictional two-character place name; counties count from the front, cities from the back."""
    base = _PLACE_NAMES[index % len(_PLACE_NAMES)]
    return base if index < len(_PLACE_NAMES) else f"{base}{index // len(_PLACE_NAMES) + 1}"


def city_code(city):
    return f"SY-C{city + 1:03d}"


def county_code(county):
    return f"SY{county + 1:04d}"


def area_code(county):
    """39 (the fictional province), the city, the county: 390101, 390102, … 390201 …"""
    city, number = divmod(county, COUNTIES_PER_CITY)
    return f"{390000 + (city + 1) * 100 + number + 1:06d}"


def historical_area_code(county):
    """An older code of the same county (a few retirees' ID numbers still carry it)."""
    code = area_code(county)
    return f"{code[:4]}{int(code[4:]) + 50:02d}"


@dataclass(frozen=True)
class _Spec:
    code: str
    kind: str
    name: str
    sort_order: int
    unit_kind: str = ""


@dataclass
class CountyJob:
    """What a worker needs to generate and insert one county's people."""

    number: int  # 0-based, in the province
    people: int
    lixiu: int
    plan: CountyPlan
    nodes: dict  # node code -> (id, path)


def plan_one_county(seed, number):
    """(node specs, county plan) of county ``number``; the county node hangs under its city's code."""
    builder = Builder(random.Random(f"{seed}:tree:{number}"))
    code = county_code(number)
    name = f"{place_name(number)}县"
    plan = plan_county(
        builder, code=code, name=name, prefix=code, area_code=area_code(number),
        historical_area_code=historical_area_code(number), units=QINGHE_UNITS, streets=QINGHE_STREETS,
        joint_prefix=f"{name}直属机关离退休干部", parent=city_code(number // COUNTIES_PER_CITY))
    specs = builder.nodes
    specs[0] = dataclasses.replace(specs[0], sort_order=number % COUNTIES_PER_CITY)
    return specs, plan


def _next_id():
    return (OrgNode.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def existing_province():
    return OrgNode.objects.filter(code=PROVINCE_CODE).first()


def existing_county_count(province):
    return OrgNode.objects.filter(path__startswith=province.path, depth=province.depth + 2,
                                  kind=OrgKind.DISTRICT).count()


@transaction.atomic
def create_counties(*, seed, first, sizes, lixiu_share):
    """Create the province (if new), the cities needed and counties ``first``, ``first + 1``… with ``sizes``
    people each; return one CountyJob per county."""
    next_id = _next_id()
    rows = []
    known = {}  # code -> OrgNode (existing or new) of the province and cities
    added_children = {}

    def new_node(spec, parent):
        nonlocal next_id
        node = OrgNode(pk=next_id, kind=spec.kind, unit_kind=spec.unit_kind, code=spec.code, name=spec.name,
                       parent_id=parent.pk if parent else None, path=path_for(parent.path if parent else "", next_id),
                       depth=parent.depth + 1 if parent else 0, sort_order=spec.sort_order, child_count=0)
        next_id += 1
        rows.append(node)
        return node

    province = existing_province()
    cities = {}
    if province is None:
        province = new_node(_Spec(PROVINCE_CODE, OrgKind.BUREAU, PROVINCE_NAME, 0), None)
    else:
        cities = {city.code: city for city in OrgNode.objects.filter(parent=province)}
    known[PROVINCE_CODE] = province
    jobs = []
    for offset, size in enumerate(sizes):
        number = first + offset
        city_index = number // COUNTIES_PER_CITY
        code = city_code(city_index)
        city = cities.get(code)
        if city is None:
            city = new_node(_Spec(code, OrgKind.BUREAU, f"{place_name(len(_PLACE_NAMES) - 1 - city_index)}市委老干部局",
                                  city_index), province)
            cities[code] = city
            added_children[PROVINCE_CODE] = added_children.get(PROVINCE_CODE, 0) + 1
        known[code] = city
        specs, plan = plan_one_county(seed, number)
        by_code = {}
        for spec in specs:
            parent = by_code.get(spec.parent) or known[spec.parent]
            node = new_node(spec, parent)
            by_code[spec.code] = node
            if spec.parent in by_code:
                parent.child_count += 1
            else:
                added_children[spec.parent] = added_children.get(spec.parent, 0) + 1
        jobs.append(CountyJob(number=number, people=size, lixiu=round(size * lixiu_share), plan=plan,
                              nodes={code: (node.pk, node.path) for code, node in by_code.items()}))
    new_ids = {node.pk for node in rows}
    for code, count in added_children.items():
        if known[code].pk in new_ids:
            known[code].child_count += count
    OrgNode.objects.bulk_create(rows, batch_size=NODE_BATCH)
    for code, count in added_children.items():
        if known[code].pk not in new_ids:
            OrgNode.objects.filter(pk=known[code].pk).update(child_count=F("child_count") + count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('core_orgnode', 'id'), "
                           "(SELECT max(id) FROM core_orgnode))")
    return province, jobs, len(rows)

