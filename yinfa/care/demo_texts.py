"""The Chinese texts of the care demo (visits, aid, care contacts): data, not user interface strings."""

LEADERS = (
    "县委常委、组织部部长 李明远", "县委老干部局局长 陈建华", "副县长 黄志强", "县人大常委会副主任 马文涛",
    "县政协副主席 孔庆华", "县委老干部局副局长 苏晓东",
)
SPRING_GIFTS = ("米、面、油等年货", "春联、福字和年货礼包", "年货礼包一份", "大米一袋、食用油一桶")
WINTER_GIFTS = ("重阳糕、保暖内衣", "棉衣一件、重阳糕", "羊毛毯一条", "保暖护膝、慰问品一份")
BIRTHDAY_GIFTS = ("生日蛋糕、鲜花", "生日蛋糕、寿桃", "鲜花、贺寿卡", "长寿面、生日蛋糕")
HOSPITAL_GIFTS = ("鲜花、水果", "牛奶、水果", "营养品一份", "水果篮")
ROUTINE_GIFTS = ("", "", "", "水果", "牛奶一箱")

FEEDBACK = (
    "身体还好，感谢组织惦记。", "最近血压有点高，在按时吃药。", "孩子们都挺孝顺，一切都好。",
    "希望多组织些老同志的活动。", "对社区的服务很满意。", "腿脚不如从前，出门少了。",
    "感谢党和政府的关心，没有什么困难。", "天冷了注意保暖，老人说家里暖气很好。",
)
HOSPITAL_FEEDBACK = ("病情稳定，医生说再观察几天。", "手术顺利，正在恢复。", "家属陪护，照顾得很好。",
                     "精神不错，盼着早日出院。")
ELSEWHERE_FEEDBACK = "随子女在{place}生活，身体尚好，感谢单位惦记。"
ELSEWHERE_VISITORS = ("{staff}（赴{place}看望）", "委托{place}老干部工作部门代为看望")
SURVIVOR_FEEDBACK = ("遗孀身体尚可，生活有保障。", "遗属说子女照顾得好，感谢组织一直记着老同志。",
                     "遗孀年事已高，行动不便，子女在身边照料。")
SURVIVOR_RELATIONS = {"spouse": "遗孀", "child": "子女", "parent": "父母"}

# What a person said they need during a visit: (text, what it becomes in the needs demo). "wish:<key>" becomes a
# micro-wish, any other key an order for that item of the service menu (yinfa.needs.demo_texts.MENU).
VISIT_NEEDS = (
    ("行动不便，希望每月有人上门理发。", "haircut"),
    ("家里的热水器不出热水了，想请人上门看看。", "appliance"),
    ("卫生间水龙头漏水，希望帮忙维修。", "plumbing"),
    ("想学用智能手机和子女视频通话。", "smartphone"),
    ("血压不稳，希望家庭医生定期上门测量。", "doctor"),
    ("子女不在身边，希望有人帮忙代购药品和日用品。", "errands"),
    ("老房子的产权证明需要补办，想咨询相关政策。", "legal"),
    ("下月去县医院复查，希望有人陪同。", "escort"),
    ("听力下降得厉害，想配一台助听器。", "wish:hearing_aid"),
    ("老花镜度数不够了，看报纸吃力。", "wish:glasses"),
    ("冬天家里冷，想要一套保暖内衣。", "wish:underwear"),
    ("腿脚不好，想要一根带凳子的拐杖。", "wish:cane"),
    ("喜欢听戏，想要一台收音机。", "wish:radio"),
)

SPRING_SKIP_REASONS = ("春节期间住院治疗，已电话慰问，慰问品由家属代收", "春节前随子女外出探亲，节后补送慰问品")
WINTER_SKIP_REASONS = ("随子女外出探亲，12月下旬返回", "已住进外地养老机构，委托家属转交慰问品")

# Hospital stays added so that a few people of 东关社区 and the finance bureau are in hospital now:
# (department, reason, diagnosis — health data).
CURRENT_STAYS = (
    ("心血管内科", "住院治疗", "冠心病，心功能不全"),
    ("呼吸内科", "住院治疗", "慢性阻塞性肺疾病急性加重"),
    ("骨科", "摔倒后入院", "股骨颈骨折，已行手术"),
)

AID_REASONS = {
    "extreme_hardship": ("老伴常年卧床，本人患多种慢性病，每月医药费支出大，家庭生活困难。",
                         "独居，无子女，退休金较低，房屋老旧需要修缮，生活十分困难。",
                         "本人和子女均身患重病，家庭收入难以维持基本生活。"),
    "widow": ("老同志去世后，遗孀无固定收入，年老体弱，生活困难。",
              "遗孀常年患病，医药费负担重，申请遗孀生活补助。"),
    "medical": ("今年两次住院，自付医疗费用较高，申请医疗救助。",
                "患恶性肿瘤需长期治疗，自费药品费用负担重。",
                "髋关节置换手术自付部分较多，家庭难以承担。"),
    "temporary": ("家中突发火灾，部分家具电器损毁，申请临时救助。",
                  "暴雨导致房屋漏水受损，需紧急维修，申请临时救助。",
                  "老伴突发疾病住院，一时周转困难，申请临时救助。"),
}
AID_UNIT_COMMENTS = ("经单位核实，情况属实，同意上报。", "单位已入户核实，家庭确有困难，建议给予补助。")
AID_APPROVAL_COMMENTS = ("经局务会研究，同意给予补助。", "符合困难帮扶条件，同意按核定金额补助。")
AID_PAYMENT_COMMENTS = {"cash": "已当面发放现金，本人签字确认。", "transfer": "已通过银行转账发放至本人账户。",
                        "goods": "已折合购买生活物资送到家中。"}
AID_REJECTIONS = (
    ("submitted", "经单位核实，家庭人均收入高于困难补助标准，暂不符合条件。"),
    ("unit_reviewed", "本年度已就同一事由享受医疗救助，不重复补助。"),
    ("unit_reviewed", "申请材料不全，缺少医疗费用票据，请补齐后重新申请。"),
)

CONTACT_NOTES = {
    "well": ("电话联系，老人说一切都好。", "上门看望，老人精神不错。", "家属接听，说老人一切正常。",
             "电话联系，老人刚散步回来，身体挺好。", ""),
    "needs_help": ("反映家里灯泡坏了，已约志愿者上门更换。", "说最近腰疼，想请家庭医生上门看看。",
                   "药快吃完了，请社区帮忙代购。", "暖气不热，已联系物业上门检查。"),
    "no_answer": ("电话无人接听。", "电话未接通，稍后再联系。", "上门敲门无人应答。"),
}
RESOLVED_FOLLOW_UPS = {
    "no_answer": "社区干部上门查看，老人手机没电了，身体无恙；已帮老人设置好充电提醒，并留了邻居的电话作为备用联系人。",
    "overdue": "志愿者近期外出，未能按时联系；已由社区干部补上电话联系，老人一切正常，联系工作已重新安排。",
    "needs_help": "社区已联系家庭医生上门诊治，开了药，并安排志愿者每周帮老人代购一次药品。",
}
