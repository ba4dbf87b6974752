"""Deterministic synthetic submissions at named scales (the same seed gives byte-identical files).

    python bench/generate.py --scale county|province|nation|tiny [--out DIR] [--seed N]
                             [--period 2018Q4] [--jobs N] [--provinces 45,44] [--cities]
    python bench/generate.py --scale county --format json --out FILE.json

Scales (see docs/benchmarks.md):

* ``tiny``     港北区 with two townships: for tests;
* ``county``   桂平市, a large county: ~300 water bodies, ~1,500 reaches, ~25,000 patrols;
* ``province`` Guangxi: 14 cities, 111 counties, 1,223 townships, ~14,000 villages;
* ``nation``   31 provinces, 2,844 counties, 38,741 townships, ~490,000 villages.

Each county is one submission: a CSV package folder ``<out>/<county code>/`` (see
:mod:`bench.output`). Beside the folders, ``<out>/lapses.json`` lists, per submission, the
lapses planted on purpose and its row counts, so a benchmark can check that a checker
finds exactly those. With ``--cities`` (province and nation), each city's own submission is
written too (``<out>/<city code>/``, see :mod:`bench.city`).

Generation streams: one county at a time per worker, so memory stays bounded at any scale.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import geo  # noqa: E402
from checker.dates import DateParseError, parse_quarter  # noqa: E402
from bench.city import build_city, extract_for_city  # noqa: E402
from bench.county import SubmissionData, build_county  # noqa: E402
from bench.output import write_folder, write_json  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "data"
MANIFEST = "lapses.json"
MANIFEST_FORMAT = "ducha-bench-lapses/1"


@dataclass(frozen=True)
class Scale:
    name: str
    description: str
    min_lapses: int = 0  # at least this many lapses of each kind per submission


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", "港北区 with two townships and six villages (tests)", min_lapses=1),
    "county": Scale("county", "桂平市: 26 townships, 400 villages, ~300 water bodies, ~1,500 reaches"),
    "province": Scale("province", "Guangxi: 14 cities, 111 counties, 1,223 townships, ~14,000 villages"),
    "nation": Scale("nation", "31 provinces, 2,844 counties, 38,741 townships, ~490,000 villages"),
}
# (townships, villages, water bodies, reaches) for the one county of the small scales.
TINY = {"450802": (2, 6, 6, 12)}
COUNTY = {"450881": (26, 400, 300, 1500)}


def cities(scale: str, seed: int, provinces: set[str] | None = None) -> Iterator[geo.CityPlan]:
    """The city plans of a scale, each holding only the counties that are generated."""
    if scale in ("tiny", "county"):
        sizes = TINY if scale == "tiny" else COUNTY
        city = geo.guigang(seed, sizes)
        yield replace(city, counties=tuple(c for c in city.counties if c.code in sizes))
        return
    plans = geo.guangxi(seed) if scale == "province" else geo.nation(seed)
    for city in plans:
        if provinces is None or city.province_code in provinces:
            yield city


@dataclass(frozen=True)
class _Task:
    plan: geo.CountyPlan
    period: str
    seed: int
    min_lapses: int
    folder: str
    city_waters: frozenset[str] | None  # set when the city's submission is written too


def _entry(data: SubmissionData, rows: dict[str, int], folder: str) -> dict[str, Any]:
    return {"submission_id": data.header["submission_id"], "jurisdiction": data.header["jurisdiction"],
            "path": folder, "rows": rows, "lapses": data.lapses}


def _county_task(task: _Task) -> tuple[dict[str, Any], dict[str, pd.DataFrame] | None]:
    """Generate and write one county; returns its manifest entry and, if asked, its city extract."""
    data = build_county(task.plan, task.period, task.seed, min_lapses=task.min_lapses)
    rows = write_folder(data, Path(task.folder))
    extract = extract_for_city(data, set(task.city_waters)) if task.city_waters is not None else None
    return _entry(data, rows, Path(task.folder).name), extract


def _map(tasks: Iterable[_Task], jobs: int) -> Iterator[tuple[dict[str, Any], dict[str, pd.DataFrame] | None]]:
    if jobs <= 1:
        yield from map(_county_task, tasks)
        return
    # spawn, not fork: the parent may hold threads (pyarrow). imap keeps task order, so the
    # output does not depend on the number of workers.
    with get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap(_county_task, tasks, chunksize=2)


def generate(scale: str, out: Path = DEFAULT_OUT, *, seed: int = 1, period: str = "2018Q4", jobs: int = 1,
             provinces: set[str] | None = None, with_cities: bool = False) -> dict[str, Any]:
    """Write every submission of ``scale`` under ``out`` and its ``lapses.json``; returns the manifest."""
    spec = SCALES[scale]
    out.mkdir(parents=True, exist_ok=True)
    with_cities = with_cities and scale in ("province", "nation")
    # Plans are small (no rows): listing them all lets one worker pool serve every city.
    plans = list(cities(scale, seed, provinces))
    tasks = (_Task(c, period, seed, spec.min_lapses, str(out / c.code),
                   frozenset(w.id for w in city.shared) if with_cities else None)
             for city in plans for c in city.counties)
    results = _map(tasks, jobs)
    entries: dict[str, dict[str, Any]] = {}
    for city in plans:
        extracts = []
        for _ in city.counties:
            entry, extract = next(results)
            entries[entry["path"]] = entry
            extracts.append(extract)
        if with_cities:
            data = build_city(city, period, seed, extracts)
            folder = out / city.code
            entries[folder.name] = _entry(data, write_folder(data, folder), folder.name)
    results.close()  # all consumed: shut the worker pool down now
    manifest = _manifest(scale, seed, period, entries)
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # `ducha batch <out>` then reads the submissions only: the manifest is listed as skipped
    (out / ".duchaignore").write_text(f"# the benchmark's answer key, not a submission\n{MANIFEST}\n", encoding="utf-8")
    return manifest


def _manifest(scale: str, seed: int, period: str, entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, int] = {}
    lapses: dict[str, int] = {}
    for e in entries.values():
        for table, n in e["rows"].items():
            totals[table] = totals.get(table, 0) + n
        for lapse in e["lapses"]:
            lapses[lapse["kind"]] = lapses.get(lapse["kind"], 0) + 1
    return {"format": MANIFEST_FORMAT, "scale": scale, "seed": seed, "period": period,
            "submissions": len(entries), "rows": totals, "lapse_counts": dict(sorted(lapses.items())),
            "by_submission": entries}


def generate_json(scale: str, path: Path, *, seed: int = 1, period: str = "2018Q4") -> dict[str, Any]:
    """The one county of a small scale as one JSON document, with ``<name>.lapses.json`` beside it."""
    (city,) = list(cities(scale, seed))
    (plan,) = city.counties
    data = build_county(plan, period, seed, min_lapses=SCALES[scale].min_lapses)
    write_json(data, path)
    rows = {t: len(f) for t, f in data.tables.items()}
    manifest = _manifest(scale, seed, period, {path.name: _entry(data, rows, path.name)})
    side = path.with_name(path.stem + ".lapses.json")
    side.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def scale_provinces(scale: str) -> set[str]:
    """Province codes a scale covers (for ``--provinces``)."""
    return {p[0] for p in geo.PROVINCES} if scale == "nation" else {geo.GUANGXI}


def _du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/generate.py", description=__doc__.split("\n\n")[0],
                                 epilog="scales: " + "; ".join(f"{s.name}: {s.description}" for s in SCALES.values()))
    ap.add_argument("--scale", required=True, choices=list(SCALES))
    ap.add_argument("--out", type=Path, help=f"output folder (default {DEFAULT_OUT}/<scale>) or, with --format json, file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--period", default="2018Q4", help="reporting quarter (default 2018Q4; GG-27 starts 2018Q3)")
    ap.add_argument("--format", choices=["csv", "json"], default="csv")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--provinces", help="only these province codes, comma-separated (nation scale), e.g. 45")
    ap.add_argument("--cities", action="store_true", help="also write each city's submission (province, nation)")
    ap.add_argument("--lang", choices=["zh", "en"], default="zh", help="message language (default zh)")
    args = ap.parse_args(argv)

    def say(zh: str, en: str) -> None:
        print(en if args.lang == "en" else zh, file=sys.stderr)

    try:
        period = parse_quarter(args.period).label
    except DateParseError as e:
        say(f"--period：{e.why_zh}", f"--period: {e.why_en}")
        return 2
    provinces = set(args.provinces.split(",")) if args.provinces else None
    if provinces is not None and not provinces <= scale_provinces(args.scale):
        unknown = ", ".join(sorted(provinces - scale_provinces(args.scale)))
        say(f"--provinces：规模 {args.scale} 中没有省份 {unknown}", f"--provinces: no province {unknown} in scale {args.scale}")
        return 2
    if args.format == "json" and args.scale not in ("tiny", "county"):
        say("--format json 只写一个县的报送：请用 --scale tiny 或 county",
            "--format json writes one county: use --scale tiny or county")
        return 2
    started = time.perf_counter()
    if args.format == "json":
        out = args.out or DEFAULT_OUT / f"{args.scale}.json"
        manifest = generate_json(args.scale, out, seed=args.seed, period=period)
    else:
        out = args.out or DEFAULT_OUT / args.scale
        manifest = generate(args.scale, out, seed=args.seed, period=period, jobs=max(1, args.jobs),
                            provinces=provinces, with_cities=args.cities)
    seconds = time.perf_counter() - started
    rows, lapses = manifest["rows"], sum(manifest["lapse_counts"].values())
    n, chiefs, reaches, patrols = manifest["submissions"], rows.get("chiefs", 0), rows.get("reaches", 0), rows.get("patrols", 0)
    size = _du(out) / 1e6
    say(f"{args.scale}：{n} 份报送，河长 {chiefs:,} 条，河段 {reaches:,} 个，巡河记录 {patrols:,} 条，"
        f"预置问题 {lapses:,} 处 → {out}（{size:,.1f} MB，{seconds:,.1f} 秒）",
        f"{args.scale}: {n} submission(s), {chiefs:,} chiefs, {reaches:,} reaches, {patrols:,} patrols, "
        f"{lapses:,} planted lapses → {out} ({size:,.1f} MB, {seconds:,.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
