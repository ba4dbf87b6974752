"""Plausible Chinese names for synthetic places, waters and people, drawn from a seeded RNG.

The names only have to look like the real thing in reports and be stable for a seed; they
are not meant to match real places (apart from the few real divisions named in
:mod:`bench.geo`). Every function takes the generator it draws from, so a county's names
depend on that county's seed only.
"""
from __future__ import annotations

import numpy as np

# Characters common in Chinese place names (地名用字); two of them make a place name.
PLACE_CHARS = tuple(
    "东西南北中上下大小新长安平和宁兴隆福寿永庆太丰华清石马龙凤山水江河湖塘岭坪坡沙田洲湾桥"
    "林竹松桂花荷柳梅杨金银铜铁白黄青红黎明阳光云霞泉溪潭口头尾源甘良高古旧里罗蒙武文昌盛"
)
SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌海波宁辉鹏飞晓燕林春雪梅"
    "立新德福永庆宏荣光耀振兴家成俊峰宇浩然子轩思雨欣怡佳琪嘉欣"
)


def _pick(rng: np.random.Generator, pool: tuple[str, ...], n: int, k: int) -> list[str]:
    idx = rng.integers(0, len(pool), size=(n, k))
    arr = np.asarray(pool)[idx]
    return ["".join(row) for row in arr]


def place_names(rng: np.random.Generator, n: int, suffix: str | list[str]) -> list[str]:
    """``n`` distinct-looking two-character place names with their suffix (镇, 村, 街道 …).

    Repeats are made unique by a number, because a county with two 东平村 would confuse a
    reader of the report (real divisions avoid that too).
    """
    stems = _pick(rng, PLACE_CHARS, n, 2)
    suffixes = [suffix] * n if isinstance(suffix, str) else suffix
    out: list[str] = []
    seen: dict[str, int] = {}
    for stem, suf in zip(stems, suffixes):
        name = stem + suf
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{stem}{k + 1}{suf}")
    return out


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` personal names: a surname and one or two given characters."""
    sur = np.asarray(SURNAMES)[rng.integers(0, len(SURNAMES), size=n)]
    given = _pick(rng, GIVEN_CHARS, n, 2)
    single = rng.random(n) < 0.3
    return [s + (g[0] if one else g) for s, g, one in zip(sur, given, single)]
