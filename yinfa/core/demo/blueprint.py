"""The organisation tree of the demo, as plain specs (no database).

江北市委老干部局 (the city bureau, root)
├── 青禾县 (the demo county): 41 former work units, 12 streets/towns with 60 communities, the retirees' work
│   committee (工委) with the branches of government organs and a few joint (联合) branches, the party
│   committees of institutions and enterprises with their retiree branches, community branches, and a
│   volunteer team with a functional branch. Every branch has 1–3 party groups.
└── 白溪县 (a small sibling county, to show data scope)
"""

import math
from dataclasses import dataclass, field

from yinfa.core.models import OrgKind, UnitKind

ORGAN, INSTITUTION, ENTERPRISE = UnitKind.ORGAN, UnitKind.INSTITUTION, UnitKind.ENTERPRISE
ROOT_CODE = "JB"
COUNTY_CODE = "JB-QH"
SIBLING_CODE = "JB-BX"

# Expected CPC members per weight point of a unit that sit in the unit's own branches; a branch is sized
# for about BRANCH_TARGET of them. Units too small for a branch of their own share a joint branch.
MEMBERS_PER_WEIGHT = 9.6
BRANCH_TARGET = 36
JOINT_BELOW_WEIGHT = 2.5
GROUP_ORDINALS = "一二三"
BRANCH_ORDINALS = "一二三四五六七八九"


@dataclass(frozen=True)
class NodeSpec:
    code: str
    kind: str
    name: str
    parent: str | None
    unit_kind: str = ""
    sort_order: int = 0


@dataclass
class UnitPlan:
    code: str
    name: str
    short: str
    unit_kind: str
    weight: int
    branches: list = field(default_factory=list)  # codes of the branches holding its retirees' membership


@dataclass
class CommunityPlan:
    code: str
    name: str
    street: str
    town: bool
    weight: int
    roads: tuple
    branch: str | None = None


@dataclass
class CountyPlan:
    code: str
    name: str
    area_code: str
    historical_area_code: str
    units: list
    communities: list
    committee: str  # code of the retirees' work committee (工委)


@dataclass
class Blueprint:
    nodes: list  # parents before children
    county: CountyPlan
    sibling: CountyPlan

    def by_code(self):
        return {node.code: node for node in self.nodes}


QINGHE_UNITS = [
    ("县委办公室", ORGAN, 3), ("县人大常委会办公室", ORGAN, 2), ("县人民政府办公室", ORGAN, 3),
    ("县政协办公室", ORGAN, 2), ("县纪委监委", ORGAN, 3), ("县委组织部", ORGAN, 2), ("县委宣传部", ORGAN, 2),
    ("县委统战部", ORGAN, 1), ("县委政法委员会", ORGAN, 1), ("县发展和改革局", ORGAN, 3), ("县教育局", ORGAN, 10),
    ("县公安局", ORGAN, 9), ("县民政局", ORGAN, 3), ("县司法局", ORGAN, 2), ("县财政局", ORGAN, 5),
    ("县人力资源和社会保障局", ORGAN, 3), ("县自然资源局", ORGAN, 5), ("县住房和城乡建设局", ORGAN, 4),
    ("县交通运输局", ORGAN, 5), ("县水利局", ORGAN, 6), ("县农业农村局", ORGAN, 9), ("县商务局", ORGAN, 3),
    ("县文化和旅游局", ORGAN, 3), ("县卫生健康局", ORGAN, 3), ("县审计局", ORGAN, 2),
    ("县市场监督管理局", ORGAN, 5), ("县统计局", ORGAN, 1), ("县林业局", ORGAN, 4), ("县人民法院", ORGAN, 4),
    ("县人民检察院", ORGAN, 3),
    ("县人民医院", INSTITUTION, 16), ("县中医院", INSTITUTION, 7), ("县第一中学", INSTITUTION, 12),
    ("县实验小学", INSTITUTION, 8), ("县职业教育中心", INSTITUTION, 5), ("县广播电视台", INSTITUTION, 2),
    ("供电公司", ENTERPRISE, 8), ("县自来水公司", ENTERPRISE, 3), ("县粮食购销有限公司", ENTERPRISE, 5),
    ("县农村商业银行", ENTERPRISE, 5), ("邮政分公司", ENTERPRISE, 3),
]

# Street or town → its communities. The first community of a town is the town seat.
QINGHE_STREETS = [
    ("城关街道", False, "东关 西关 南街 北街 人民路 文化路 府前 鼓楼 书院"),
    ("东城街道", False, "东湖 新华 建设 朝阳 幸福 光明 振兴 康宁"),
    ("西城街道", False, "西苑 和平 红旗 解放路 青年路 育才 桂花 金桥"),
    ("南湖街道", False, "南湖 湖滨 翠园 锦绣 丽景 滨河 紫荆"),
    ("临河镇", True, "临河 河口 码头 新村"),
    ("石桥镇", True, "石桥 桥东 桥西 龙泉"),
    ("白沙镇", True, "白沙 沙河 兴隆"),
    ("柳林镇", True, "柳林 柳东 杨柳"),
    ("双山镇", True, "双山 山前 泉水"),
    ("马庄镇", True, "马庄 前进 团结 东风"),
    ("清水镇", True, "清水 清泉 水南 太平"),
    ("桃源镇", True, "桃源 桃花 源头"),
]
ROADS = ("人民路 解放路 建设路 文化路 胜利街 中山路 青年路 新华街 团结路 和平路 光明街 育才路 府前街 "
         "迎宾大道 滨河路 振兴路 工农路 朝阳街 健康路 公园路 学府路 商业街 兴业路 长安街").split()


def _full_unit_name(county, short):
    if short == "供电公司":
        return f"国网{county}供电公司"
    if short == "邮政分公司":
        return f"中国邮政集团有限公司{county}分公司"
    return county + short[1:] if short.startswith("县") else county + short


class Builder:
    """Collects NodeSpecs, parents before children; ``rng`` decides party groups and roads."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.children = {}

    def add(self, code, kind, name, parent, unit_kind=""):
        order = self.children.get(parent, 0)
        self.children[parent] = order + 1
        self.nodes.append(NodeSpec(code=code, kind=kind, name=name, parent=parent, unit_kind=unit_kind,
                                   sort_order=order))
        return code

    def branch(self, code, name, parent, groups=None, short=""):
        self.add(code, OrgKind.BRANCH, name, parent)
        for g in range(groups or self.rng.randint(1, 3)):
            self.add(f"{code}-G{g + 1}", OrgKind.PARTY_GROUP, f"{short}第{GROUP_ORDINALS[g]}党小组", code)
        return code


def plan_county(b, *, code, name, prefix, area_code, historical_area_code, units, streets, joint_prefix,
                parent=ROOT_CODE):
    """Add one county (units, streets and communities, the work committee, branches and groups) to builder
    ``b`` under node ``parent``; node codes start with ``prefix``. Returns its CountyPlan."""
    county = b.add(code, OrgKind.DISTRICT, name, parent)
    committee = b.add(f"{prefix}-GW", OrgKind.PARTY_COMMITTEE, f"中共{name}委离退休干部工作委员会", county)
    unit_plans = []
    for i, (short, unit_kind, weight) in enumerate(units, start=1):
        full = _full_unit_name(name, short)
        unit_plans.append(UnitPlan(code=b.add(f"{prefix}-U{i:02d}", OrgKind.UNIT, full, county, unit_kind),
                                   name=full, short=full.removeprefix(name), unit_kind=unit_kind, weight=weight))
    community_plans = []
    for s, (street_name, town, communities) in enumerate(streets, start=1):
        street = b.add(f"{prefix}-S{s:02d}", OrgKind.STREET, f"{street_name}", county)
        for c, short in enumerate(communities.split(), start=1):
            community_name = f"{short}社区"
            weight = 5 if not town else (3 if c == 1 else 1)
            roads = tuple(b.rng.sample(ROADS, 3))
            community_plans.append(CommunityPlan(
                code=b.add(f"{street}-C{c:02d}", OrgKind.COMMUNITY, community_name, street),
                name=community_name, street=street_name, town=town, weight=weight, roads=roads))

    branch_no = iter(range(1, 1000))

    def next_branch_code():
        return f"{prefix}-B{next(branch_no):03d}"

    # Units' retiree branches: organs under the work committee, institutions and enterprises under their own
    # party committee; three or more branches of one unit sit in a general branch (党总支).
    joint_units = []
    for unit in unit_plans:
        if unit.weight < JOINT_BELOW_WEIGHT and unit.unit_kind == ORGAN:
            joint_units.append(unit)
            continue
        count = max(1, math.ceil(unit.weight * MEMBERS_PER_WEIGHT / BRANCH_TARGET))
        if unit.unit_kind == ORGAN:
            parent = committee
        else:
            parent = b.add(f"{unit.code}-P", OrgKind.PARTY_COMMITTEE, f"中共{unit.name}委员会", unit.code)
        if count >= 3:
            parent = b.add(f"{unit.code}-Z", OrgKind.GENERAL_BRANCH, f"{unit.name}离退休干部党总支", parent)
        for n in range(count):
            ordinal = f"第{BRANCH_ORDINALS[n]}" if count > 1 else ""
            unit.branches.append(b.branch(next_branch_code(), f"{unit.name}离退休干部{ordinal}党支部", parent,
                                          short=unit.short.removesuffix("局") + ordinal))
    # Joint branches (联合党支部) under the work committee for units too small for their own.
    joint_count = math.ceil(len(joint_units) / 2.5)
    for n in range(joint_count):
        members = joint_units[n::joint_count]
        branch = b.branch(next_branch_code(), f"{joint_prefix}第{BRANCH_ORDINALS[n]}联合党支部", committee,
                          short=f"联合{BRANCH_ORDINALS[n]}支")
        for unit in members:
            unit.branches.append(branch)
    # Community branches where enough retirees live (the town seats and the city communities).
    for community in community_plans:
        if community.weight >= 3:
            community.branch = b.branch(next_branch_code(), f"{community.name}离退休干部党支部", community.code,
                                        short=community.name.removesuffix("社区"))
    return CountyPlan(code=county, name=name, area_code=area_code, historical_area_code=historical_area_code,
                      units=unit_plans, communities=community_plans, committee=committee)


def build_blueprint(rng):
    """The whole tree; ``rng`` decides only the party groups per branch and the roads of communities."""
    b = Builder(rng)
    b.add(ROOT_CODE, OrgKind.BUREAU, "江北市委老干部局", None)
    county = plan_county(
        b, code=COUNTY_CODE, name="青禾县", prefix="QH", area_code="379921", historical_area_code="379920",
        units=QINGHE_UNITS, streets=QINGHE_STREETS, joint_prefix="青禾县直机关离退休干部")
    # A volunteer team of retirees with a functional branch (功能型党支部).
    team = b.add("QH-A01", OrgKind.ASSOCIATION, "青禾县银发志愿服务队", COUNTY_CODE)
    b.branch("QH-A01-B", "青禾县银发志愿服务队功能型党支部", team, groups=1, short="志愿服务队")
    b.add("QH-A02", OrgKind.ASSOCIATION, "青禾县老干部书画协会", COUNTY_CODE)
    sibling = plan_county(
        b, code=SIBLING_CODE, name="白溪县", prefix="BX", area_code="379922", historical_area_code="379922",
        units=[("县财政局", ORGAN, 2), ("县人民医院", INSTITUTION, 3), ("县第一中学", INSTITUTION, 1)],
        streets=[("城关镇", True, "河东 河西")], joint_prefix="白溪县直机关离退休干部")
    return Blueprint(nodes=b.nodes, county=county, sibling=sibling)
