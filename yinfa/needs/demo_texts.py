"""The Chinese texts of the services demo (三张清单, orders, micro-wishes): data, not user interface strings."""

# The service menu: key -> (where: "county" | "home" | "sibling", name, category, description, accept working
# days, complete working days, free, charges). The keys are those of yinfa.care.demo_texts.VISIT_NEEDS.
MENU = {
    "haircut": ("county", "上门理发", "haircut", "志愿者上门为行动不便的老同志理发、修面。", 1, 5, True, ""),
    "doctor": ("county", "家庭医生上门", "health", "签约家庭医生上门测血压血糖、调整用药、健康指导。", 1, 5, True, ""),
    "errands": ("county", "代购代办", "errands", "代购药品和日用品，代缴水电燃气费，代办社保认证。", 1, 3, True, ""),
    "appliance": ("county", "家电维修", "household", "热水器、洗衣机、电视等家电上门检修。", 2, 7, False,
                  "免上门费，材料费按实收取"),
    "plumbing": ("county", "水电维修", "household", "水龙头、下水道、电路插座等小修小补。", 1, 5, False,
                 "人工免费，材料按实收取"),
    "legal": ("county", "法律咨询", "legal", "遗嘱、房产、赡养等法律问题咨询，代写法律文书。", 2, 10, True, ""),
    "smartphone": ("county", "智能手机教学", "digital", "一对一教会用微信视频、扫码、网上挂号。", 2, 7, True, ""),
    "escort": ("county", "陪同就医", "health", "陪同到县医院挂号、检查、取药，全程陪护。", 1, 3, True, ""),
    "bath": ("county", "助浴服务", "haircut", "专业护理员上门助浴，适合失能、半失能老人。", 2, 5, False, "每次30元"),
    "company": ("county", "陪伴聊天", "company", "志愿者定期上门或电话陪伴聊天、读书读报。", 1, 5, True, ""),
    "tcm": ("county", "中医理疗", "health", "中医院医师上门针灸、推拿、拔罐。", 2, 7, False, "按医保规定收费"),
    "meals": ("home", "助餐送餐", "errands", "社区老年食堂每日中午送餐上门。", 1, 3, False, "每餐8元"),
    "pressure": ("home", "上门测血压", "health", "社区卫生服务站每周上门测血压、血糖。", 1, 3, True, ""),
    "reading": ("home", "读书读报", "culture", "志愿者上门读书读报，讲时事新闻。", 1, 5, True, ""),
    "bx_haircut": ("sibling", "上门理发", "haircut", "白溪县志愿者上门理发。", 1, 5, True, ""),
}

# The resource list: (key, kind, provider name, providing organisation code or "", community code or "",
# categories, offer, skills, place, when, contact person). Volunteers' and retirees' entries are added in code.
RESOURCES = (
    ("health_centre", "organisation", "青禾县城关社区卫生服务中心家庭医生团队", "", "",
     ["health"], "家庭医生签约服务、上门巡诊、慢病随访", "家庭医生 慢病管理 测血压 血糖", "城关街道府前街12号",
     "工作日8:00—17:00", "王医生"),
    ("station", "organisation", "东关社区卫生服务站", "", "QH-S01-C01", ["health"],
     "每周上门测血压血糖，送药上门", "测血压 血糖 送药", "东关社区服务中心一楼", "每周二、周四上午", "李护士"),
    ("hospital", "unit", "青禾县人民医院老年医学科", "QH-U31", "", ["health"], "陪诊绿色通道、专家义诊进社区",
     "老年病 义诊 陪诊", "县人民医院门诊楼三楼", "每月第一个周六", "孙主任"),
    ("tcm_hospital", "unit", "青禾县中医院康复理疗科", "QH-U32", "", ["health"], "上门针灸推拿、中医理疗",
     "针灸 推拿 中医理疗", "县中医院二号楼", "工作日预约", "周医师"),
    ("legal_aid", "unit", "青禾县法律援助中心", "QH-U14", "", ["legal"], "法律咨询、代写文书、法律援助",
     "法律咨询 遗嘱 赡养 房产", "县司法局一楼窗口", "工作日9:00—17:00", "吴律师"),
    ("repairs", "organisation", "青禾县便民家电维修服务部", "", "", ["household"],
     "家电、水电上门维修，老同志免上门费", "家电维修 水电维修 热水器", "城关街道人民路58号", "每天8:00—20:00",
     "冯师傅"),
    ("community", "community", "东关社区居委会", "QH-S01-C01", "QH-S01-C01", ["errands", "company"],
     "网格员代购代办、节日走访、邻里互助", "代购 代办 陪伴", "东关社区服务中心", "工作日", "赵秀云"),
    ("centre", "organisation", "青禾县老干部活动中心", "", "", ["culture", "digital"],
     "智能手机培训班、书画、戏曲活动", "智能手机 书法 戏曲", "县老干部活动中心", "每周一至周五", "苏老师"),
    ("bx_hospital", "unit", "白溪县人民医院", "BX-U02", "", ["health"], "上门巡诊", "巡诊 测血压",
     "白溪县人民医院", "工作日", "何医生"),
    ("bx_team", "organisation", "河东社区志愿服务队", "", "BX-S01-C01", ["haircut", "company"], "上门理发、陪伴聊天",
     "理发 陪伴", "河东社区服务站", "每周六上午", "何阿姨"),
)
# The volunteers' entries: user name -> (categories, offer, skills, when).
VOLUNTEER_OFFERS = {
    "zhiyuanzhe": (["haircut", "company"], "上门理发、陪伴聊天", "理发 陪伴 读报", "每周六、周日"),
    "zhiyuanzhe2": (["errands", "digital"], "代购代办、教老人用智能手机", "代购 智能手机 微信", "工作日下午"),
    "zhiyuanzhe3": (["household", "company"], "水电小修、陪同散步", "水电维修 陪伴", "周末全天"),
}
# Specialty words of 银发人才 (Person.specialties) -> the kinds of service they can offer.
TALENT_CATEGORIES = (("法律", ["legal"]), ("调解", ["legal"]), ("中医", ["health"]), ("针灸", ["health"]),
                     ("护理", ["health"]), ("内科", ["health"]), ("书法", ["culture"]), ("教学", ["culture"]),
                     ("教育", ["culture"]), ("财务", ["legal"]), ("维修", ["household"]), ("电力", ["household"]))

# The project list: (key, node: "county" | "home", title, item key, provider key, frequency, beneficiaries,
# agreement, starts on, ends on or "", in force).
PROJECTS = (
    ("haircut", "home", "每月上门理发", "haircut", "vol:zhiyuanzhe", "monthly", "东关社区80岁以上及失能老同志",
     "志愿者郑海燕每月第一个周末上门理发，社区提前一天电话预约。", "2026-03-01", "", True),
    ("doctor", "county", "家庭医生签约上门", "doctor", "health_centre", "monthly", "全县离休干部和失能老同志",
     "家庭医生团队每月上门巡诊一次，建立健康档案，费用由老干部局与卫健局协商解决。", "2026-01-01", "", True),
    ("legal", "county", "法律援助进社区", "legal", "legal_aid", "quarterly", "城关街道各社区老同志",
     "每季度在社区开展一次法律咨询，个案由法律援助中心指派律师跟进。", "2026-02-15", "", True),
    ("phone", "county", "银龄智能手机课堂", "smartphone", "centre", "fortnightly", "有意愿学习的老同志",
     "每两周一次，每期8课时，结业后可预约一对一辅导。", "2025-09-01", "2026-06-30", False),
)

ORDER_DETAILS = {
    "haircut": ("行动不便，请志愿者上门理发。", "想在春节前理个发。"),
    "doctor": ("血压最近偏高，请家庭医生上门看看。", "出院后需要家庭医生上门随访。"),
    "errands": ("帮忙到药店买降压药。", "代缴本季度水电费。", "帮忙办理养老金资格认证。"),
    "appliance": ("热水器打不着火。", "电视没有信号了。", "洗衣机不脱水。"),
    "plumbing": ("厨房水龙头漏水。", "卫生间下水道堵了。", "卧室插座没电。"),
    "legal": ("想咨询立遗嘱的事。", "房屋产权证明需要补办，想咨询流程。"),
    "smartphone": ("想学用微信和孩子视频通话。", "想学手机上挂号。"),
    "escort": ("下周二到县医院复查，需要人陪同。", "要去县医院做胃镜，家里没人陪。"),
    "bath": ("老伴卧床，需要助浴服务。",),
    "company": ("子女在外地，希望有人常来聊聊天。",),
    "tcm": ("腰腿疼，想做针灸理疗。",),
    "meals": ("腿脚不便，中午需要送餐上门。",),
    "pressure": ("请每周上门测一次血压。",),
    "reading": ("眼睛不好，希望有人来读读报纸。",),
    "bx_haircut": ("请志愿者上门理发。",),
}
DONE_NOTES = {
    "haircut": "已上门理发，老人很满意。", "doctor": "家庭医生已上门，测量血压并调整了用药。",
    "errands": "已代购并送到家中，票据交给老人。", "appliance": "已更换点火器，热水器恢复正常。",
    "plumbing": "已更换水龙头阀芯，不再漏水。", "legal": "律师已上门解答，并提供了文书范本。",
    "smartphone": "已教会视频通话和扫码，留了操作步骤卡片。", "escort": "已陪同完成复查，取药后送回家。",
    "bath": "护理员已上门助浴。", "company": "志愿者上门陪伴聊天两小时。", "tcm": "医师已上门针灸理疗一次。",
    "meals": "已安排每日中午送餐。", "pressure": "已上门测量血压，数值正常。", "reading": "志愿者已上门读报。",
    "bx_haircut": "已上门理发。",
}
RATING_COMMENTS = {5: ("服务周到，非常满意！", "志愿者很耐心，谢谢社区。", "来得很及时，态度好。"),
                   4: ("挺好的，就是等的时间长了点。", "满意，下次还找他们。"),
                   3: ("还行，希望能更快一些。", "基本满意。")}
CANCEL_REASONS = ("子女已带老人去理发了。", "老人住院了，等出院后再说。", "问题自己解决了，不需要了。",
                  "家属已请人修好。")
REJECT_REASONS = ("超出服务范围，已建议联系物业维修。", "该服务需本人到场办理，已告知办理流程。",
                  "属于医疗诊治，已建议到医院就诊。")
FAMILY = (("李红", "女儿"), ("王强", "儿子"), ("张丽", "儿媳"), ("陈明", "女婿"), ("刘芳", "侄女"))

# Micro-wishes: key -> (title, why, estimated cost). The keys "hearing_aid"… are those of VISIT_NEEDS.
WISHES = {
    "hearing_aid": ("一台助听器", "听力下降严重，和家人交流困难，子女在外地。", 800),
    "glasses": ("一副老花镜", "原来的老花镜度数不够了，看报纸吃力。", 120),
    "underwear": ("一套保暖内衣", "独居，冬天家里冷，想添一套保暖内衣。", 150),
    "cane": ("一根带凳子的拐杖", "腿脚不好，出门走一段路就要歇一歇。", 90),
    "radio": ("一台收音机", "喜欢听戏，原来的收音机坏了。", 100),
    "escort": ("陪同复查", "下月到市医院复查，子女不在身边，希望有人陪同。", 50),
    "blanket": ("一条电热毯", "老房子冬天阴冷，晚上睡不暖。", 160),
    "wheelchair": ("一辆轻便轮椅", "中风后行动不便，想出门晒晒太阳。", 600),
    "rice_cooker": ("一个电饭煲", "原来的电饭煲坏了，做饭不方便。", 200),
    "books": ("一套大字版党史读物", "老党员，想系统学习党史，眼睛不好需要大字版。", 180),
    "photo": ("拍一张全家福", "结婚六十周年，想和子女拍一张全家福。", 300),
    "shoes": ("一双防滑棉鞋", "冬天路滑，怕摔倒。", 150),
    "phone": ("一部老年智能手机", "想和外地的孙子视频通话。", 500),
    "lamp": ("一盏护眼台灯", "晚上读书写字光线不好。", 120),
    "pressure_meter": ("一台电子血压计", "高血压，需要每天在家测血压。", 200),
    "bath_chair": ("一把洗澡椅", "洗澡时站不稳，担心滑倒。", 80),
    "heater": ("一台取暖器", "家里没有暖气，冬天很冷。", 260),
    "calligraphy": ("一套书法用品", "爱好书法，想继续练字。", 150),
}
CLAIM_NOTES = ("已购买并送到老人家中，老人当场试用。", "支部党员集体认领，已上门送达。", "已陪同完成，老人很满意。")
BENEFICIARY_WORDS = ("谢谢党组织的关心！", "收到了，很实用，谢谢你们。", "没想到这么快就送来了，太感谢了。",
                     "党组织一直惦记着我们老同志。")
WISH_REJECTIONS = ("该需求已纳入困难帮扶，不再作为微心愿发布。", "所需费用超出微心愿标准，建议申请临时救助。")
WISH_WITHDRAWALS = ("老人的子女已经买好了。", "老人已入住养老机构，不再需要。")
