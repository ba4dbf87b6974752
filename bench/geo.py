"""The administrative hierarchy of a benchmark scale: provinces → cities → counties.

A plan fixes, for every county, how many townships, villages, water bodies and reaches it
has, and which city-level waters (main rivers, cross-county rivers and reservoirs) run
through it; :mod:`bench.county` then fills in the rows. Plans are cheap (no rows) and are
produced lazily, one city at a time, so the national scale never holds more than a city's
plan in memory.

Sizes follow public national statistics (rounded): 31 provinces, 2,844 county-level
divisions, 38,741 township-level divisions, about 490,000 villages, about 1.2 million river
chiefs (about 900,000 of them at village level). Guangxi (14 cities, 111 counties, 1,223
townships, about 14,000 villages) and the five counties of Guigang keep their real codes
and names; every other place is synthetic (real-looking codes, generated names).

Every random draw comes from a generator seeded by ``(seed, purpose, code)``, so a county's
plan and data are the same whichever scale it is generated in and in whatever order.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
import yaml

from .names import place_names

REFERENCE = Path(__file__).resolve().parent.parent / "rules" / "guigang-river-chief" / "reference"

NATION_COUNTIES = 2844
NATION_TOWNSHIPS = 38741
NATION_VILLAGES = 490_000

# Village-level chiefs per village (≈ 900,000 / 490,000) and water bodies per village, for
# the province and nation scales. Each village chief row is one reach (a water body's
# course through one village), so reaches per village = village chiefs per village.
REACHES_PER_VILLAGE = 1.84
WATERS_PER_VILLAGE = 0.2

# (code, name, county-level divisions, prefecture-level cities); municipalities have one
# "city" (市辖区) grouping their districts. County counts are the 2020s statistics, rounded,
# scaled to NATION_COUNTIES below.
PROVINCES: tuple[tuple[str, str, int, int], ...] = (
    ("11", "北京市", 16, 1), ("12", "天津市", 16, 1), ("13", "河北省", 167, 11), ("14", "山西省", 117, 11),
    ("15", "内蒙古自治区", 103, 12), ("21", "辽宁省", 100, 14), ("22", "吉林省", 60, 9),
    ("23", "黑龙江省", 121, 13), ("31", "上海市", 16, 1), ("32", "江苏省", 95, 13), ("33", "浙江省", 90, 11),
    ("34", "安徽省", 104, 16), ("35", "福建省", 84, 9), ("36", "江西省", 100, 11), ("37", "山东省", 136, 16),
    ("41", "河南省", 157, 17), ("42", "湖北省", 103, 13), ("43", "湖南省", 122, 14), ("44", "广东省", 122, 21),
    ("45", "广西壮族自治区", 111, 14), ("46", "海南省", 25, 4), ("50", "重庆市", 38, 1), ("51", "四川省", 183, 21),
    ("52", "贵州省", 88, 9), ("53", "云南省", 129, 16), ("54", "西藏自治区", 74, 7), ("61", "陕西省", 107, 10),
    ("62", "甘肃省", 86, 14), ("63", "青海省", 44, 8), ("64", "宁夏回族自治区", 22, 5), ("65", "新疆维吾尔自治区", 107, 14),
)

GUANGXI = "45"
GUANGXI_TOWNSHIPS = 1223
GUANGXI_VILLAGES = 14_000
# Guangxi's cities with their real codes, names and numbers of county-level divisions (111).
GUANGXI_CITIES: tuple[tuple[str, str, int], ...] = (
    ("4501", "南宁市", 12), ("4502", "柳州市", 10), ("4503", "桂林市", 17), ("4504", "梧州市", 7),
    ("4505", "北海市", 4), ("4506", "防城港市", 4), ("4507", "钦州市", 4), ("4508", "贵港市", 5),
    ("4509", "玉林市", 7), ("4510", "百色市", 12), ("4511", "贺州市", 5), ("4512", "河池市", 11),
    ("4513", "来宾市", 6), ("4514", "崇左市", 7),
)
GUIGANG = "4508"
# Guigang's five county-level divisions: (code, name, townships, villages). Codes and names
# are real; township and village counts are approximate (close to the current divisions).
GUIGANG_COUNTIES: tuple[tuple[str, str, int, int], ...] = (
    ("450802", "港北区", 8, 120), ("450803", "港南区", 9, 160), ("450804", "覃塘区", 10, 140),
    ("450821", "平南县", 21, 290), ("450881", "桂平市", 26, 400),
)

# Seed purposes (the second element of every seed tuple).
_NATION, _PROVINCE, _CITY, _GUIGANG = 1, 2, 3, 4


@dataclass(frozen=True)
class SharedWater:
    """A city-level water: one id in every county it runs through.

    ``reaches`` maps each county code to the number of reaches (villages) it has there.
    """

    id: str
    name: str
    kind: str  # river | reservoir
    main_river: bool
    size: str | None
    flood_control: str | None  # county code of a reservoir's flood-control commander
    reaches: tuple[tuple[str, int], ...]

    def reaches_in(self, county: str) -> int:
        return dict(self.reaches).get(county, 0)


@dataclass(frozen=True)
class CountyPlan:
    code: str
    name: str
    city_code: str
    city_name: str
    townships: int
    villages: int
    water_bodies: int  # target, shared waters included
    reaches: int  # target, shared waters' reaches included
    shared: tuple[SharedWater, ...] = ()

    @property
    def streets(self) -> int:
        """Township-level divisions that are urban streets (街道): more in districts (区)."""
        share = 0.35 if self.name.endswith("区") else 0.08
        return min(self.townships - 1, round(self.townships * share)) if self.townships > 1 else 0


@dataclass(frozen=True)
class CityPlan:
    code: str  # six digits, e.g. 450800
    name: str
    province_code: str
    counties: tuple[CountyPlan, ...]
    shared: tuple[SharedWater, ...] = field(default=())


def _rng(seed: int, purpose: int, code: str) -> np.random.Generator:
    return np.random.default_rng([seed, purpose, int(code)])


def split_total(rng: np.random.Generator, total: int, weights: np.ndarray, minimum: int = 1) -> np.ndarray:
    """Integers ≥ ``minimum`` proportional to ``weights`` that add up to exactly ``total``."""
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError(f"cannot split {total} into {n} parts of at least {minimum}")
    share = weights / weights.sum() * rest
    out = np.floor(share).astype(np.int64)
    # Largest remainders get the leftover units (ties broken by position: deterministic).
    left = rest - int(out.sum())
    order = np.argsort(-(share - out), kind="stable")[:left]
    out[order] += 1
    return out + minimum


def _sizes(villages: int) -> tuple[int, int]:
    """(water bodies, reaches) of a county at the province/nation density."""
    waters = max(3, round(villages * WATERS_PER_VILLAGE))
    return waters, max(waters, round(villages * REACHES_PER_VILLAGE))


def _county_codes(rng: np.random.Generator, city: str, n: int) -> list[tuple[str, str]]:
    """Synthetic county codes and names: districts 02…, counties 21…, county-level cities 81…"""
    districts = int(round(n * 0.3))
    cities = 1 if n >= 5 else 0
    counties = n - districts - cities
    names = place_names(rng, n, ["区"] * districts + ["县"] * counties + ["市"] * cities)
    codes = ([f"{city}{2 + i:02d}" for i in range(districts)] + [f"{city}{21 + i:02d}" for i in range(counties)]
             + [f"{city}{81 + i:02d}" for i in range(cities)])
    return list(zip(codes, names))


def _shared_waters(rng: np.random.Generator, city: str, counties: list[CountyPlan],
                   mains: list[tuple[str, list[str] | None]]) -> tuple[SharedWater, ...]:
    """Main rivers and cross-county waters of one city.

    A main river's counties are given (Guigang) or drawn (a run of one to three neighbouring
    counties).
    """
    codes = [c.code for c in counties]
    villages = {c.code: c.villages for c in counties}
    n = len(codes)

    def reaches(through: list[str], lo: float, hi: float) -> tuple[tuple[str, int], ...]:
        u = rng.uniform(lo, hi, size=len(through))
        return tuple((c, int(min(villages[c], max(2, round(villages[c] * x))))) for c, x in zip(through, u))

    def run(length: int) -> list[str]:
        start = int(rng.integers(0, n))
        return [codes[(start + i) % n] for i in range(min(length, n))]

    out: list[SharedWater] = []
    for i, (name, given) in enumerate(mains, start=1):
        through = [c for c in given if c in villages] if given is not None else run(1 + int(rng.integers(0, 3)))
        if through:
            out.append(SharedWater(f"W{city}-M{i}", name, "river", True, None, None, reaches(through, 0.04, 0.10)))
    if n >= 2:
        k = max(1, round(n / 3))
        for i, name in enumerate(place_names(rng, k, "河"), start=1):
            out.append(SharedWater(f"W{city}-X{i}", name, "river", False, None, None, reaches(run(2), 0.02, 0.05)))
        through = run(2)
        name = place_names(rng, 1, "水库")[0]
        out.append(SharedWater(f"W{city}-X{k + 1}", name, "reservoir", False, "medium", through[0],
                               reaches(through, 0.01, 0.02)))
    return tuple(out)


def _main_rivers(with_counties: bool) -> list[tuple[str, list[str] | None]]:
    """The pack's seven main rivers, with Guigang's counties for each or without.

    Every synthetic city takes the same seven names for its main rivers, as if it had
    adopted the Guigang plan: the pack's GG-01 asks a city for exactly these rivers, so a
    city with other names could never be compliant.
    """
    return [(name, list(counties) if with_counties else None) for name, counties in _main_river_table()]


@lru_cache(maxsize=1)
def _main_river_table() -> tuple[tuple[str, tuple[str, ...]], ...]:
    doc = yaml.safe_load((REFERENCE / "main_rivers.yaml").read_text(encoding="utf-8"))
    return tuple((item["name"], tuple(item["counties"])) for item in doc["items"])


def guigang(seed: int, sizes: dict[str, tuple[int, int, int, int]] | None = None) -> CityPlan:
    """贵港市 with its real counties and the plan's seven main rivers.

    ``sizes`` overrides (townships, villages, water bodies, reaches) per county code, for the
    county and tiny scales.
    """
    counties = []
    for code, name, townships, villages in GUIGANG_COUNTIES:
        waters, reaches = _sizes(villages)
        townships, villages, waters, reaches = (sizes or {}).get(code, (townships, villages, waters, reaches))
        counties.append(CountyPlan(code, name, "450800", "贵港市", townships, villages, waters, reaches))
    return _with_shared(seed, CityPlan("450800", "贵港市", GUANGXI, tuple(counties)), _main_rivers(True))


def _with_shared(seed: int, city: CityPlan, mains: list[tuple[str, list[str] | None]]) -> CityPlan:
    shared = _shared_waters(_rng(seed, _CITY, city.code), city.code, list(city.counties), mains)
    counties = tuple(replace(c, shared=tuple(w for w in shared if w.reaches_in(c.code))) for c in city.counties)
    return replace(city, counties=counties, shared=shared)


def _province_cities(seed: int, code: str, cities: list[tuple[str, str, int]],
                     townships: int, villages: int) -> Iterator[CityPlan]:
    """The cities of one province, townships and villages spread over its counties."""
    rng = _rng(seed, _PROVINCE, code)
    county_names = {c[0]: _county_codes(rng, c[0], c[2]) for c in cities if c[0] != GUIGANG}
    fixed = GUIGANG_COUNTIES if any(c[0] == GUIGANG for c in cities) else ()
    free = [cc for c in cities if c[0] != GUIGANG for cc in county_names[c[0]]]
    t_free = townships - sum(t for *_, t, _ in fixed)
    v_free = villages - sum(v for *_, v in fixed)
    t = split_total(rng, t_free, rng.lognormal(0, 0.35, len(free)), minimum=3)
    v = split_total(rng, v_free, t * rng.lognormal(0, 0.25, len(free)), minimum=1)
    size = {cc[0]: (int(ti), int(vi)) for cc, ti, vi in zip(free, t, v)}
    for ccode, cname, _ in cities:
        if ccode == GUIGANG:
            yield guigang(seed)
            continue
        plans = []
        for code6, cty in county_names[ccode]:
            ti, vi = size[code6]
            waters, reaches = _sizes(vi)
            plans.append(CountyPlan(code6, cty, f"{ccode}00", cname, ti, max(vi, ti), waters, reaches))
        yield _with_shared(seed, CityPlan(f"{ccode}00", cname, code, tuple(plans)), _main_rivers(False))


def guangxi(seed: int) -> Iterator[CityPlan]:
    """Guangxi: 14 real cities, 111 counties, 1,223 townships, about 14,000 villages."""
    return _province_cities(seed, GUANGXI, list(GUANGXI_CITIES), GUANGXI_TOWNSHIPS, GUANGXI_VILLAGES)


def nation(seed: int) -> Iterator[CityPlan]:
    """All 31 provinces (2,844 counties), city by city; Guangxi is :func:`guangxi`."""
    rng = _rng(seed, _NATION, "0")
    others = [i for i, p in enumerate(PROVINCES) if p[0] != GUANGXI]
    raw = np.array([PROVINCES[i][2] for i in others], dtype=float)
    counties = split_total(rng, NATION_COUNTIES - 111, raw, minimum=1)
    towns = split_total(rng, NATION_TOWNSHIPS - GUANGXI_TOWNSHIPS, counties * rng.lognormal(0, 0.2, len(others)))
    vills = split_total(rng, NATION_VILLAGES - GUANGXI_VILLAGES, towns * rng.lognormal(0, 0.2, len(others)))
    by = {i: (int(c), int(t), int(v)) for i, c, t, v in zip(others, counties, towns, vills)}
    for i, (code, _, _, n_cities) in enumerate(PROVINCES):
        if code == GUANGXI:
            yield from guangxi(seed)
            continue
        n_counties, n_towns, n_vills = by[i]
        prng = _rng(seed, _PROVINCE, code + "9")
        n_cities = min(n_cities, n_counties)
        per_city = split_total(prng, n_counties, prng.lognormal(0, 0.3, n_cities), minimum=1)
        city_names = ["市辖区"] if n_cities == 1 else place_names(prng, n_cities, "市")
        cities = [(f"{code}{j + 1:02d}", city_names[j], int(per_city[j])) for j in range(n_cities)]
        yield from _province_cities(seed, code, cities, n_towns, n_vills)
