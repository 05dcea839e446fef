"""Synthetic Chinese names: people, villages and communities, roads, towns and company brands.

Names are combined from common characters, so any resemblance to a real person or company is
chance. Every function draws from the generator it is given and from nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

# Common surnames, weighted roughly as in northern Zhejiang (沈, 朱, 钱, 姚, 陆 are frequent there).
SURNAMES: dict[str, float] = {
    "沈": 4.5, "王": 4.0, "张": 3.5, "陈": 3.5, "李": 3.0, "朱": 2.6, "徐": 2.6, "吴": 2.4,
    "周": 2.4, "钱": 1.8, "刘": 1.8, "姚": 1.6, "杨": 1.6, "陆": 1.5, "金": 1.5, "顾": 1.3,
    "孙": 1.3, "蒋": 1.2, "胡": 1.2, "黄": 1.2, "费": 1.0, "俞": 1.0, "赵": 1.0, "屠": 0.9,
    "范": 0.9, "许": 0.9, "马": 0.8, "郑": 0.8, "何": 0.8, "冯": 0.8, "戴": 0.7, "严": 0.7,
    "邵": 0.7, "潘": 0.7, "曹": 0.6, "倪": 0.6, "汪": 0.6, "施": 0.6, "高": 0.6, "林": 0.6,
    "叶": 0.6, "褚": 0.5, "韩": 0.5, "唐": 0.5, "姜": 0.5, "方": 0.5, "丁": 0.5, "宋": 0.5,
    "袁": 0.5, "罗": 0.5, "谢": 0.5, "蔡": 0.5, "郁": 0.4, "钟": 0.4, "梁": 0.4, "任": 0.4,
    "董": 0.4, "程": 0.4, "杜": 0.4, "盛": 0.4, "章": 0.4, "夏": 0.4, "卢": 0.4, "濮": 0.3,
    "闻": 0.3, "卜": 0.3, "计": 0.3, "丰": 0.3, "凌": 0.3, "殷": 0.3, "鲍": 0.3, "莫": 0.3,
    "管": 0.3, "邱": 0.3, "傅": 0.3, "贾": 0.3, "魏": 0.3, "宣": 0.2,
}  # fmt: skip

# Given-name characters by gender and era: "classic" for people born before 1975, "modern" for
# those born from 1995, a mix in between.
GIVEN_MALE_CLASSIC = "建国明华林根金福荣兴德良忠伟强军平勇永海东宝生祥水春松才庆财法新元龙发志文"
GIVEN_MALE_MODERN = "浩宇轩睿博子一泽然昊晨俊杰涛鹏磊辰逸航铭哲宸皓凯彬嘉豪钧毅锦澄煜越阳"
GIVEN_FEMALE_CLASSIC = "英芳秀珍兰梅凤娟丽华美玉琴云萍红霞燕素月妹金菊琳"
GIVEN_FEMALE_MODERN = "婷欣怡佳悦梦雨思涵彤诗琪可若晴馨瑶雪琳颖洁敏静倩蕾萱妍"
CLASSIC_BEFORE, MODERN_FROM = 1975, 1995
SINGLE_CHARACTER_SHARE = 0.2

# Place names: villages (村), communities (社区), roads.
VILLAGE_FIRST = (
    "新永民联胜东南西北中丰安和红光明星华太长金福庆兴凤龙虎"
    "桃梅杨竹桑荷湖溪石马双三八百万义众建利春晓青紫翔"
)
VILLAGE_SECOND = (
    "丰安联民星光明华胜利兴福庆桥塘浜港河湾溪泉山湖泾圩田庄家店墩园林荡坝埭里兜阳新和平乐"
)
COMMUNITY_FIRST = "文庆南北东西学庙振世茅银锦翠凤鸣梧桐春秋百花金和康乐惠景雅华城"
COMMUNITY_SECOND = "华丰门苑园城兴安湖桥新盛泰秀景乐兰都庭"
ROAD_SUFFIXES = ("路", "路", "路", "街", "大道")
TOWN_FIRST = "织环埭道妙龙杨八东高善月碧"
TOWN_SECOND = "里渚溪场西山桥湖林浦港"

# Company brands (字号).
BRAND_CHARACTERS = (
    "恒瑞鑫华达丰盛泰隆宏兴嘉信诚德利通源新富锦绣宇天凯美佳正永"
    "顺祥旺博金星光明荣昌元康汇众腾越创卓睿晟弘昊欣亿润宝海中科"
)

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_NUMERALS[tens - 1] if tens > 1 else "")
        + "十"
        + (CHINESE_NUMERALS[ones - 1] if ones else "")
    )


DIVISION_SUFFIXES = ("街道", "社区", "省", "市", "县", "区", "镇", "乡", "村")


def short_name(name: str) -> str:
    """A place name without its division suffix: 濮院镇 → 濮院, 桐乡市 → 桐乡, 庆丰社区 → 庆丰."""
    for suffix in DIVISION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def unique_name(make: Callable[[], str], used: set[str], *, attempts: int = 200) -> str:
    """A name from `make` that is not in `used` (which it joins)."""
    for _ in range(attempts):
        name = make()
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("ran out of synthetic names; widen the character pools")


def two_characters(rng: random.Random, first: str, second: str) -> str:
    a = rng.choice(first)
    b = rng.choice(second)
    while b == a:
        b = rng.choice(second)
    return a + b


def village_name(rng: random.Random, used: set[str]) -> str:
    return unique_name(lambda: two_characters(rng, VILLAGE_FIRST, VILLAGE_SECOND) + "村", used)


def community_name(rng: random.Random, used: set[str]) -> str:
    return unique_name(
        lambda: two_characters(rng, COMMUNITY_FIRST, COMMUNITY_SECOND) + "社区", used
    )


def road_name(rng: random.Random, used: set[str]) -> str:
    return unique_name(
        lambda: (
            two_characters(rng, VILLAGE_FIRST + COMMUNITY_FIRST, COMMUNITY_SECOND)
            + rng.choice(ROAD_SUFFIXES)
        ),
        used,
    )


def town_name(rng: random.Random, used: set[str], *, street: bool) -> str:
    suffix = "街道" if street else "镇"
    return unique_name(lambda: two_characters(rng, TOWN_FIRST, TOWN_SECOND) + suffix, used)


def brand(rng: random.Random, *, length: int = 2) -> str:
    return "".join(rng.sample(BRAND_CHARACTERS, length))


def person_name(rng: random.Random, *, male: bool, birth_year: int = 1975) -> str:
    """One synthetic name (for legal representatives and other single names)."""
    surnames = list(SURNAMES)
    surname = rng.choices(surnames, weights=list(SURNAMES.values()))[0]
    pool = _given_pool(male, birth_year, rng.random() < 0.5)
    given = rng.choice(pool)
    if rng.random() >= SINGLE_CHARACTER_SHARE:
        given += rng.choice(pool)
    return surname + given


def _given_pool(male: bool, birth_year: int, coin: bool) -> str:
    if male:
        classic, modern = GIVEN_MALE_CLASSIC, GIVEN_MALE_MODERN
    else:
        classic, modern = GIVEN_FEMALE_CLASSIC, GIVEN_FEMALE_MODERN
    if birth_year < CLASSIC_BEFORE:
        return classic
    if birth_year >= MODERN_FROM:
        return modern
    return classic if coin else modern


def person_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> list[str]:
    """Names for many people at once (vectorised draws, one string join per person)."""
    count = len(male)
    surnames = np.array(list(SURNAMES))
    weights = np.array(list(SURNAMES.values()))
    surname = surnames[rng.choice(len(surnames), size=count, p=weights / weights.sum())]
    era_coin = rng.random(count) < 0.5
    modern = (birth_year >= MODERN_FROM) | ((birth_year >= CLASSIC_BEFORE) & era_coin)
    single = rng.random(count) < SINGLE_CHARACTER_SHARE
    first_draw = rng.random(count)
    second_draw = rng.random(count)
    pools = {
        (True, False): np.array(list(GIVEN_MALE_CLASSIC)),
        (True, True): np.array(list(GIVEN_MALE_MODERN)),
        (False, False): np.array(list(GIVEN_FEMALE_CLASSIC)),
        (False, True): np.array(list(GIVEN_FEMALE_MODERN)),
    }
    first = np.empty(count, dtype=object)
    second = np.empty(count, dtype=object)
    for (is_male, is_modern), pool in pools.items():
        mask = (male == is_male) & (modern == is_modern)
        first[mask] = pool[(first_draw[mask] * len(pool)).astype(np.int64)]
        second[mask] = pool[(second_draw[mask] * len(pool)).astype(np.int64)]
    second[single] = ""
    return [
        s + f + g for s, f, g in zip(surname.tolist(), first.tolist(), second.tolist(), strict=True)
    ]
