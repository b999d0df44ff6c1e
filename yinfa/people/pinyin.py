"""Pinyin of personal names for search: full pinyin ("wangguohua") and initials ("wgh").

Surnames are read with their surname reading (曾 zeng, 单 shan, 解 xie…), which pypinyin's general
dictionary gets wrong; the given name is read by pypinyin.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the most common reading of the character.
SURNAME_READINGS = {
    "万俟": ["mo", "qi"],
    "尉迟": ["yu", "chi"],
    "单于": ["chan", "yu"],
    "曾": ["zeng"],
    "单": ["shan"],
    "解": ["xie"],
    "仇": ["qiu"],
    "朴": ["piao"],
    "区": ["ou"],
    "查": ["zha"],
    "盖": ["ge"],
    "覃": ["qin"],
    "翟": ["zhai"],
    "缪": ["miao"],
    "召": ["shao"],
    "种": ["chong"],
    "秘": ["bi"],
    "繁": ["po"],
    "员": ["yun"],
    "句": ["gou"],
    "长孙": ["zhang", "sun"],
    "蕃": ["pi"],
    "薄": ["bo"],
    "折": ["she"],
}


def _clean(syllables):
    return ["".join(ch for ch in s.lower() if ch.isascii() and ch.isalnum()) for s in syllables]


def _syllables(name: str):
    name = (name or "").strip()
    if not name:
        return []
    for length in (2, 1):
        surname = name[:length]
        if len(name) > length and surname in SURNAME_READINGS:
            rest = lazy_pinyin(name[length:], style=Style.NORMAL, errors=lambda text: [text])
            return [s for s in _clean(SURNAME_READINGS[surname] + rest) if s]
    return [s for s in _clean(lazy_pinyin(name, style=Style.NORMAL, errors=lambda text: [text])) if s]


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case without spaces: 王国华 → ("wangguohua", "wgh").

    Cached: rosters and the synthetic generator repeat names, and pypinyin is the costliest step per row."""
    syllables = _syllables(name)
    return "".join(syllables), "".join(s[0] for s in syllables)
