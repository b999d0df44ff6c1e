"""Wording of the demo's meetings: topics by month and type, places, agendas and minutes, in the words a retiree
branch secretary would use (2025-12 to 2026-12)."""

from yinfa.partylife.models import MeetingKind

THEME_DAYS = {
    (2025, 12): ["主题党日：学习贯彻党的二十届四中全会精神，畅谈“十五五”美好前景",
                 "主题党日：学习贯彻党的二十届四中全会精神，重温入党誓词"],
    (2026, 1): ["主题党日：重温入党誓词，坚定理想信念", "主题党日：新年新气象，老党员话初心"],
    (2026, 2): ["主题党日：新春走访慰问困难党员和高龄党员", "主题党日：迎新春写春联送祝福"],
    (2026, 3): ["主题党日：学雷锋志愿服务进社区", "主题党日：学习全国两会精神"],
    (2026, 4): ["主题党日：清明祭英烈，缅怀革命先烈", "主题党日：参观县革命烈士纪念馆"],
    (2026, 5): ["主题党日：学习“十五五”规划纲要，老同志谈发展", "主题党日：“银发生辉”助力基层治理"],
    (2026, 6): ["主题党日：学习《中国共产党纪律处分条例》", "主题党日：“七一”前夕重温入党誓词"],
    (2026, 7): ["主题党日：庆祝中国共产党成立105周年，重温入党誓词", "主题党日：“光荣在党50年”老党员讲党史"],
    (2026, 8): ["主题党日：观看红色电影，传承红色基因", "主题党日：学习习近平新时代中国特色社会主义思想专题"],
    (2026, 9): ["主题党日：纪念中国人民抗日战争胜利81周年", "主题党日：参观县党史馆，赓续红色血脉"],
    (2026, 10): ["主题党日：重阳敬老，老少共话新时代", "主题党日：“银发先锋”进社区志愿服务"],
    (2026, 11): ["主题党日：学习《中国共产党支部工作条例（试行）》", "主题党日：学习贯彻党的二十届四中全会精神再回顾"],
    (2026, 12): ["主题党日：年终走访慰问高龄、困难党员", "主题党日：学习贯彻中央经济工作会议精神"],
}
THEME_PLACES = {(2026, 4): "县革命烈士陵园", (2026, 9): "县党史馆"}

COMMITTEE = {
    1: "研究2026年支部工作计划和主题党日安排", 2: "研究春节走访慰问困难党员事项", 3: "研究一季度党员大会议题",
    4: "研究党费收缴情况和送学上门安排", 5: "研究“七一”表彰推荐人选", 6: "研究上半年工作总结和党员大会议题",
    7: "研究下半年工作安排", 8: "研究高龄党员送学上门名单", 9: "研究三季度党员大会议题和党课安排",
    10: "研究重阳节慰问和志愿服务活动", 11: "研究年度组织生活会和民主评议党员准备工作",
    12: "研究年度组织生活会和民主评议党员准备工作",
}
GROUP = (
    "学习《习近平谈治国理政》第五卷有关篇目", "学习贯彻党的二十届四中全会精神，交流学习体会",
    "集中学习全国两会精神", "学习《中国共产党章程》总纲", "学习党史故事，交流心得体会",
    "学习《中国共产党纪律处分条例》", "讨论老同志如何发挥余热参与社区治理", "学习近期时事政治，交流思想",
)
GENERAL = {
    (2025, 4): "2025年度支部工作总结，通报党费收缴使用情况",
    (2026, 1): "审议通过2026年支部工作计划，通报2025年党费收缴情况",
    (2026, 2): "学习党内法规，通报上半年党费收缴情况",
    (2026, 3): "上半年工作总结，讨论下半年工作",
    (2026, 4): "2026年度工作总结，学习贯彻党的二十届四中全会精神",
}
LECTURES = {
    (2025, 4): "党课：学习贯彻党的二十届四中全会精神",
    (2026, 1): "党课：以习近平新时代中国特色社会主义思想凝心铸魂",
    (2026, 2): "党课：弘扬伟大建党精神，永葆老党员本色",
    (2026, 3): "党课：从抗战精神中汲取奋进力量",
    (2026, 4): "党课：老党员在基层治理中发挥作用",
}
GUEST_SPEAKERS = ("县委党校讲师", "县委老干部局宣讲员", "县关工委“五老”宣讲团成员")


def quarter_of(month):
    return (month - 1) // 3 + 1


def topic(kind, year, month, rng, group_name=""):
    if kind == MeetingKind.THEME_DAY:
        return rng.choice(THEME_DAYS[(year, month)])
    if kind == MeetingKind.COMMITTEE:
        return f"支委会：{COMMITTEE[month]}"
    if kind == MeetingKind.GROUP:
        return f"{group_name}会：{rng.choice(GROUP)}"
    if kind == MeetingKind.GENERAL:
        return f"党员大会：{GENERAL[(year, quarter_of(month))]}"
    if kind == MeetingKind.LECTURE:
        return LECTURES[(year, quarter_of(month))]
    if kind == MeetingKind.LIFE_MEETING:
        return f"{year}年度组织生活会"
    if kind == MeetingKind.EVALUATION:
        return f"{year}年度民主评议党员"
    return f"{year}年度谈心谈话"


def agenda(kind, subject):
    subject = subject.split("：", 1)[-1]
    items = {
        MeetingKind.THEME_DAY: ["集体学习" + subject, "交流发言", "收缴本月党费", "布置下月工作"],
        MeetingKind.COMMITTEE: [subject, "研究送学上门名单", "其他事项"],
        MeetingKind.GROUP: [subject, "党员交流发言", "征求意见建议"],
        MeetingKind.GENERAL: [subject, "通报党费收缴情况", "党员发言讨论"],
        MeetingKind.LECTURE: ["讲授党课：" + subject, "党员交流学习体会"],
        MeetingKind.LIFE_MEETING: ["支部班子对照检查", "党员逐一开展批评和自我批评", "制定整改措施"],
        MeetingKind.EVALUATION: ["党员个人总结", "党员互评", "支部综合评定"],
        MeetingKind.HEART_TALK: ["支部书记与党员逐一谈心谈话", "征求对支部工作的意见建议"],
    }[kind]
    return "\n".join(f"{'一二三四五'[n]}、{item}" for n, item in enumerate(items))


def minutes(kind, subject, host, counts):
    expected, present, delivered, leave, absent = counts
    subject = subject.split("：", 1)[-1]
    line = f"会议由{host}主持。应到{expected}人，实到{present}人"
    if leave:
        line += f"，请假{leave}人"
    if absent:
        line += f"，缺席{absent}人"
    line += "。"
    if delivered:
        line += f"对{delivered}名行动不便的老党员送学上门。"
    body = {
        MeetingKind.THEME_DAY: f"全体党员围绕“{subject}”开展学习交流，大家结合自身经历谈体会，表示要发挥老党员作用。",
        MeetingKind.COMMITTEE: f"支委会{subject}，经讨论形成一致意见，明确了责任分工和完成时限。",
        MeetingKind.GROUP: f"党小组成员{subject}，逐一发言，畅谈体会，并对支部工作提出意见建议。",
        MeetingKind.GENERAL: f"会议{subject}，与会党员充分讨论，一致同意。",
        MeetingKind.LECTURE: f"讲授人围绕“{subject}”讲党课，党员认真听讲并交流学习体会。",
        MeetingKind.LIFE_MEETING: "支部班子和党员个人对照检查，开展批评和自我批评，形成问题清单和整改措施。",
        MeetingKind.EVALUATION: "党员个人总结、党员互评、支部综合评定，评定结果将在支部内公示。",
        MeetingKind.HEART_TALK: "支部书记与每名党员谈心谈话，对行动不便的老党员上门谈心，征求意见建议并逐条记录。",
    }[kind]
    return f"{line}\n{body}\n会议要求：把学习成果转化为发挥余热、服务群众的实际行动。"
