"""Realistic Chinese names for the demo: surnames by frequency, given names typical of people born 1925–1966.

Names are random combinations; a short list of well-known public figures is never produced.
"""

# Surname: relative frequency (per mille, roughly the national census shares).
SURNAMES = {
    "王": 71, "李": 70, "张": 67, "刘": 54, "陈": 45, "杨": 31, "黄": 22, "赵": 22, "吴": 20, "周": 19,
    "徐": 17, "孙": 15, "马": 15, "朱": 13, "胡": 13, "郭": 12, "何": 12, "高": 11, "林": 11, "罗": 11,
    "郑": 10, "梁": 9, "谢": 8, "宋": 8, "唐": 8, "许": 7, "韩": 7, "冯": 7, "邓": 7, "曹": 7,
    "彭": 6, "曾": 6, "肖": 6, "田": 6, "董": 5, "袁": 5, "潘": 5, "于": 5, "蒋": 5, "蔡": 5,
    "余": 5, "杜": 5, "叶": 5, "程": 5, "苏": 4, "魏": 4, "吕": 4, "丁": 4, "任": 4, "沈": 4,
    "姚": 4, "卢": 4, "姜": 4, "崔": 4, "钟": 4, "谭": 3, "陆": 3, "汪": 3, "范": 3, "金": 3,
    "石": 3, "廖": 3, "贾": 3, "夏": 3, "韦": 3, "付": 3, "方": 3, "白": 3, "邹": 3, "孟": 3,
    "熊": 3, "秦": 3, "邱": 3, "江": 3, "尹": 3, "薛": 2, "闫": 2, "段": 2, "雷": 2, "侯": 2,
    "龙": 2, "史": 2, "陶": 2, "黎": 2, "贺": 2, "顾": 2, "毛": 2, "郝": 2, "龚": 2, "邵": 2,
    "万": 2, "钱": 2, "严": 2, "覃": 2, "武": 2, "戴": 2, "莫": 2, "孔": 2, "向": 2, "汤": 2,
    "常": 2, "温": 2, "康": 2, "施": 2, "文": 2, "牛": 2, "樊": 2, "葛": 2, "邢": 2, "安": 2,
    "单": 1, "欧阳": 1, "司马": 1, "诸葛": 1,
}

# Given names common for the generation (two characters), by gender.
MALE_GIVEN = (
    "建国 国华 国强 卫国 建华 建军 志强 志刚 振华 德明 德福 宝山 玉林 永生 长林 文华 明德 世荣 树林 庆祥 "
    "广才 福生 金山 学文 跃进 红军 卫东 向东 爱国 新民 立新 光明 保国 胜利 兴旺 春生 秋生 春林 海山 云峰 "
    "永福 成林 德胜 守仁 克勤 汉章 瑞祥 兴华 振国 继光 国庆 建设 建平 建民 文斌 文明 志勇 志明 国栋 国良 "
    "家祥 家兴 德华 德山 德义 明山 明生 玉成 玉祥 宝华 宝林 长顺 长青 长发 连生 连成 庆华 庆云 树森 树清 "
    "和平 解放 援朝 抗美 志远 志华 建新 建业 有才 有福 振江 振海 永祥 永康 桂林 凤山 景春 景华 书林 书文"
).split()
FEMALE_GIVEN = (
    "秀英 桂英 秀兰 玉兰 桂兰 淑珍 凤英 玉珍 玉英 兰英 秀珍 桂珍 淑英 凤兰 素珍 翠兰 玉梅 丽华 秀云 桂芳 "
    "淑华 桂香 美玲 红梅 秀芳 玉芬 爱华 建英 素梅 月英 冬梅 春兰 海燕 丽萍 红英 亚萍 卫红 彩霞 慧敏 晓红 "
    "淑兰 淑贞 玉华 玉琴 玉珠 秀梅 秀华 秀荣 秀琴 桂荣 桂琴 凤琴 凤珍 凤霞 金凤 金兰 银凤 春梅 春华 春英 "
    "冬英 爱莲 爱琴 爱珍 素英 素华 素琴 翠英 翠华 美华 美英 丽君 丽娟 丽珍 惠珍 惠芳 慧英 敏华 雪梅 雪英 "
    "月华 月琴 菊英 菊香 兰芳 兰珍 荣华 瑞芳 婉华 文英 文华 小萍 新华 玉凤 玉香 玉霞 英兰 志英 淑芬 淑芳"
).split()
# Single-character given names, less common for this generation.
MALE_SINGLE = "刚 勇 军 伟 强 平 斌 杰 涛 明 华 林 峰 辉 忠 诚 彬 武 亮 俊 健 宏 毅 力 群".split()
FEMALE_SINGLE = "芳 红 萍 霞 英 琴 敏 静 丽 燕 娟 梅 兰 珍 玲 凤 慧 莉 洁 云".split()
# Characters combined freely for more variety.
MALE_FIRST = "国 建 志 德 文 明 永 玉 宝 长 庆 树 振 家 光 世 学 继 立 新 正 兆 金 守 春".split()
MALE_SECOND = "华 民 强 明 林 山 生 才 成 祥 福 荣 军 平 清 义 忠 海 江 泉 元 章 亮 斌 峰".split()
FEMALE_FIRST = "秀 桂 玉 淑 凤 素 翠 丽 美 春 月 金 爱 惠 慧 兰 雪 菊 红 晓".split()
FEMALE_SECOND = "英 兰 珍 芳 华 梅 琴 云 霞 香 荣 萍 娟 凤 莲 芬 菊 燕 敏 贞".split()

# Well-known public figures: never generate these names.
FAMOUS = frozenset(
    "毛泽东 周恩来 刘少奇 朱德 邓小平 陈云 江泽民 胡锦涛 习近平 李鹏 朱镕基 温家宝 李克强 彭德怀 林彪 贺龙 陈毅 "
    "叶剑英 聂荣臻 徐向前 刘伯承 罗荣桓 王洪文 张春桥 江青 姚文元 华国锋 胡耀邦 赵紫阳 乔石 李先念 杨尚昆 彭真 "
    "万里 李瑞环 吴邦国 贾庆林 曾庆红 黄菊 吴官正 李长春 罗干 王岐山 张德江 俞正声 刘云山 张高丽 栗战书 汪洋 "
    "王沪宁 赵乐际 韩正 李强 蔡奇 丁薛祥 李希 雷锋 焦裕禄 王杰 董存瑞 黄继光 邱少云 刘胡兰 张思德 白求恩 鲁迅 "
    "郭沫若 茅盾 巴金 老舍 曹禺 钱学森 邓稼先 袁隆平 屠呦呦 钟南山 姚明 刘翔 成龙 王菲 周杰伦 李宁 郎平".split()
)

_SURNAME_LIST = list(SURNAMES)
_SURNAME_WEIGHTS = list(SURNAMES.values())


def given_name(rng, gender):
    male = gender == "male"
    roll = rng.random()
    if roll < 0.62:
        return rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
    if roll < 0.85:
        first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
        a, b = rng.choice(first), rng.choice(second)
        return a + b if a != b else a + rng.choice(second)
    return rng.choice(MALE_SINGLE if male else FEMALE_SINGLE)


def full_name(rng, gender):
    while True:
        name = rng.choices(_SURNAME_LIST, weights=_SURNAME_WEIGHTS)[0] + given_name(rng, gender)
        if name not in FAMOUS:
            return name
