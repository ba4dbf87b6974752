"""Benchmarks of ducha on the synthetic data of bench/generate.py, in one run, side by side.

    python bench/run.py --scales county,province --out bench/results/2026-11-21.json --markdown
    python bench/run.py --scales nation [--limit 50]

Sections (see docs/benchmarks.md):

* ``gate``    — the CI gate: a cold ``ducha check`` process on the county submission (JSON and
  CSV package), median of ``--repeat`` runs, against a process that only parses the same
  file (the floor); targets: median ≤ 1.0 s and ≤ 3× the floor;
* ``batch``   — ``ducha batch`` over every submission of a scale (or the first ``--limit``):
  wall and CPU time, records/s, peak RSS of the process tree, findings, and whether the
  findings other than passed/not applicable are exactly the planted lapses;
* ``engines`` — GG-02, GG-14 and GG-27 on the county data by ducha, by CLIPS (clipspy) and by
  plain durable_rules (``bench/peer/``): setup, fact building and evaluation times, and
  agreement of the three verdict sets (asserted).

Scales: ``tiny`` runs every section (the test scale); ``county`` the gate and the engines;
``province`` and ``nation`` the batch. The data must have been generated first (the error
says how). Results: a JSON file (``ducha-bench-results/1``) and, with ``--markdown``, the
same as Markdown tables. Exit 0 when every measurement ran and every agreement held (a
missed time target is a result, not a failure), 1 when an agreement failed or a ducha
command failed, 2 for a usage or data problem.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import DEFAULT_OUT, MANIFEST  # noqa: E402

FORMAT = "ducha-bench-results/1"
SINGLE = ("tiny", "county")  # one-county scales: gate and engines (tiny: every section)
MULTI = ("province", "nation")  # many submissions: batch
SECTIONS = ("gate", "batch", "engines")
GATE_SECONDS, GATE_RATIO = 1.0, 3.0
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SAMPLE_EVERY = 0.1  # seconds between RSS samples of a batch's process tree
RESULTS_JSON_MAX = 256 * 2**20  # bytes: a larger results.json is not parsed (see batch)

FLOOR_JSON = "import json, sys\nwith open(sys.argv[1], encoding='utf-8') as f:\n    json.load(f)\n"
FLOOR_CSV = ("import pathlib, sys\nimport pandas as pd\nd = pathlib.Path(sys.argv[1])\n"
             "for p in sorted(d.glob('*.csv')):\n    pd.read_csv(p, encoding='utf-8-sig')\n"
             "for p in sorted(d.glob('*.parquet')):\n    pd.read_parquet(p)\n")
# Not a floor, context: what importing the data libraries alone costs a new process.
IMPORTS = "import pandas, pyarrow.parquet\n"


class BenchError(Exception):
    """A usage or data problem (exit 2), with both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


# ---------------------------------------------------------------- processes


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float  # user + system of the process and the children it waited for
    rc: int
    max_rss_mb: float  # the largest single process (ru_maxrss)
    peak_tree_rss_mb: float | None  # sum of VmRSS over the tree, sampled (None: not sampled)
    stderr_tail: str


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass  # the process ended between two reads
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants now (shared pages counted in each)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(_children(p))
    return total / 1024


def measure(cmd: Sequence[str], *, sample: bool = False, cwd: Path | None = None) -> Measured:
    """Run ``cmd`` (stdout discarded) and time it; with ``sample``, poll the tree's RSS."""
    import subprocess
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if sample else 0)
            if pid:
                break
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(SAMPLE_EVERY)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    return Measured(wall, usage.ru_utime + usage.ru_stime, proc.returncode, usage.ru_maxrss / 1024,
                    peak if sample else None, tail)


def ducha_command() -> list[str]:
    script = Path(sys.executable).with_name("ducha")
    return [str(script)] if script.exists() else [sys.executable, "-m", "checker"]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def say(lang: str, zh: str, en: str) -> None:
    print(en if lang == "en" else zh, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def manifest(folder: Path) -> dict[str, Any]:
    return read_manifest(folder / MANIFEST)


def read_manifest(path: Path) -> dict[str, Any]:
    """A ``ducha-bench-lapses/1`` file, or a :class:`BenchError` saying how to make it."""
    if not path.is_file():
        raise BenchError(f"没有数据：{path} 不存在；请先运行 bench/generate.py（见 docs/benchmarks.md）",
                         f"no data: {path} is missing; run bench/generate.py first (see docs/benchmarks.md)")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BenchError(f"{path} 无法读取：{e}", f"{path} cannot be read: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != "ducha-bench-lapses/1":
        raise BenchError(f"{path} 不是 ducha-bench-lapses/1 文件", f"{path} is not a ducha-bench-lapses/1 file")
    return doc


def planted(entry: dict[str, Any]) -> set[tuple[str, str]]:
    return {(lapse["rule"], lapse["subject"]) for lapse in entry["lapses"]}


def reported(findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The (rule, subject) of findings other than passed / not applicable (what a lapse gives)."""
    return {(f["rule"], f["subject_id"]) for f in findings if f["outcome"] not in ("passed", "not_applicable")}


def agreement(expected: set[tuple[str, str]], got: set[tuple[str, str]]) -> dict[str, Any]:
    missing, extra = sorted(expected - got), sorted(got - expected)
    return {"agree": not missing and not extra, "planted": len(expected), "reported": len(got),
            "missing": [list(p) for p in missing[:20]], "extra": [list(p) for p in extra[:20]],
            "missing_count": len(missing), "extra_count": len(extra)}


def read_findings_csv(path: Path) -> dict[str, tuple[int, int, set[tuple[str, str]]]]:
    """Per input folder name: (findings, those not passed / not applicable, their (rule, subject)),
    streamed from a batch's ``findings.csv`` (columns in ``checker.report.csv.COLUMNS`` order,
    headings and outcome words in either language, text cells formula-protected)."""
    import csv

    from checker.report.base import OUTCOME_TEXT
    from checker.report.csv import COLUMNS
    from checker.report.safe import FORMULA_PREFIXES
    col = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
    outcome = {text: code for code, pair in OUTCOME_TEXT.items() for text in pair}

    def cell(row: list[str], key: str) -> str:
        v = row[col[key]]
        return v[1:] if v.startswith("'") and v[1:].startswith(FORMULA_PREFIXES) else v
    out: dict[str, tuple[int, int, set[tuple[str, str]]]] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.reader(f)
        next(rows, None)  # headings
        for row in rows:
            name = Path(cell(row, "input")).name
            n, bad, got = out.get(name, (0, 0, set()))
            if outcome.get(cell(row, "outcome"), cell(row, "outcome")) not in ("passed", "not_applicable"):
                got.add((cell(row, "rule"), cell(row, "subject_id")))
                bad += 1
            out[name] = (n + 1, bad, got)
    return out


def _results(path: Path) -> list[dict[str, Any]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return list(doc["results"])


# ---------------------------------------------------------------- gate


def _stats(xs: list[float]) -> dict[str, Any]:
    return {"median_s": round(statistics.median(xs), 4), "min_s": round(min(xs), 4), "max_s": round(max(xs), 4),
            "runs_s": [round(x, 4) for x in xs]}


def gate_one(name: str, path: Path, floor: list[str], expected: set[tuple[str, str]], repeat: int,
             lang: str) -> dict[str, Any]:
    """One input: a warm-up run that also checks the findings, then ``repeat`` timed pairs."""
    ducha = ducha_command()
    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        out = Path(tmp) / "check.json"
        warm = measure([*ducha, "check", str(path), "--format", f"json:{out}"])
        if warm.rc not in (0, 1) or not out.is_file():
            return {"input": name, "path": str(path), "error": f"ducha check exit {warm.rc}: {warm.stderr_tail[-500:]}"}
        (result,) = _results(out)
        agree = agreement(expected, reported(result["findings"]))
    checks, floors, imports, rss, cpu, fcpu = [], [], [], [], [], []
    before = load()
    for i in range(repeat):
        # Interleaved, so a burst of load from elsewhere hits both series alike.
        m = measure([*ducha, "check", str(path)])
        if m.rc not in (0, 1):
            return {"input": name, "path": str(path), "error": f"ducha check exit {m.rc}: {m.stderr_tail[-500:]}"}
        checks.append(m.wall_s)
        cpu.append(m.cpu_s)
        rss.append(m.max_rss_mb)
        f = measure(floor)
        if f.rc != 0:
            return {"input": name, "path": str(path), "error": f"floor exit {f.rc}: {f.stderr_tail[-500:]}"}
        floors.append(f.wall_s)
        fcpu.append(f.cpu_s)
        imports.append(measure([sys.executable, "-c", IMPORTS]).wall_s)
        say(lang, f"  {name} 第 {i + 1}/{repeat} 次：ducha {m.wall_s:.2f} 秒，下限 {f.wall_s:.2f} 秒",
            f"  {name} run {i + 1}/{repeat}: ducha {m.wall_s:.2f} s, floor {f.wall_s:.2f} s")
    med, fmed = statistics.median(checks), statistics.median(floors)
    ratio = med / fmed if fmed > 0 else float("inf")
    return {"input": name, "path": str(path), "command": [*ducha, "check", str(path)],
            "floor_command": floor, "check": _stats(checks), "floor": _stats(floors), "import_pandas": _stats(imports),
            "check_cpu": _stats(cpu), "floor_cpu": _stats(fcpu),
            "ratio": round(ratio, 3), "max_rss_mb": round(max(rss), 1),
            "target_seconds": GATE_SECONDS, "target_ratio": GATE_RATIO,
            "meets_seconds": med <= GATE_SECONDS, "meets_ratio": ratio <= GATE_RATIO,
            "over_seconds": round(max(0.0, med - GATE_SECONDS), 4), "over_ratio": round(max(0.0, ratio - GATE_RATIO), 3),
            "findings": agree, "load_before": before, "load_after": load()}


def gate(data: Path, scale: str, repeat: int, lang: str) -> dict[str, Any]:
    say(lang, f"门禁（{scale}）：每种输入 {repeat} 次", f"gate ({scale}): {repeat} run(s) per input")
    py = sys.executable
    runs = []
    js = data / f"{scale}.json"
    side = data / f"{scale}.lapses.json"
    if js.is_file():
        entry = read_manifest(side)["by_submission"].get(js.name)
        if entry is None:
            raise BenchError(f"{side} 中没有 {js.name}", f"{side} does not describe {js.name}")
        runs.append(gate_one("json", js, [py, "-c", FLOOR_JSON, str(js)], planted(entry), repeat, lang))
    else:
        say(lang, f"  没有 {js}：只测 CSV 文件夹（bench/generate.py --scale {scale} --format json 可生成）",
            f"  no {js}: the CSV package only (bench/generate.py --scale {scale} --format json makes it)")
    man = manifest(data / scale)
    folder, entry = next(iter(man["by_submission"].items()))
    path = data / scale / folder
    runs.append(gate_one("csv", path, [py, "-c", FLOOR_CSV, str(path)], planted(entry), repeat, lang))
    return {"scale": scale, "repeat": repeat, "inputs": runs}


# ---------------------------------------------------------------- batch


def batch(data: Path, scale: str, limit: int | None, workers: int | None, lang: str) -> dict[str, Any]:
    man = manifest(data / scale)
    entries = list(man["by_submission"].items())
    if limit is not None:
        entries = entries[:limit]
    paths = [data / scale / name for name, _ in entries]
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        raise BenchError(f"缺少报送文件夹：{missing[0]}（共 {len(missing)} 个）",
                         f"submission folder missing: {missing[0]} ({len(missing)} in all)")
    rows: dict[str, int] = {}
    for _, e in entries:
        for table, n in e["rows"].items():
            rows[table] = rows.get(table, 0) + int(n)
    records = sum(rows.values())
    say(lang, f"批量检查（{scale}）：{len(paths)} 份报送，{records:,} 条记录",
        f"batch ({scale}): {len(paths)} submission(s), {records:,} records")
    ducha = ducha_command()
    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        out = Path(tmp) / "out"
        extra = ["--workers", str(workers)] if workers else []
        cmd = [*ducha, "batch", *map(str, paths), "--out", str(out), *extra]
        shown = [*ducha, "batch", f"{data / scale}/<{len(paths)} folders>", "--out", "DIR", *extra]
        before = load()
        m = measure(cmd, sample=True)
        after = load()
        if m.rc not in (0, 1) or not (out / "findings.csv").is_file() or not (out / "results.json").is_file():
            return {"scale": scale, "submissions": len(paths), "command": shown,
                    "error": f"ducha batch exit {m.rc}: {m.stderr_tail[-800:]}"}
        per_input = read_findings_csv(out / "findings.csv")
        results_json = out / "results.json"
        # results.json holds every finding of every input: read it for the exact statuses only
        # while it is small (the nation's runs to gigabytes); the findings come from the CSV,
        # which is read one row at a time.
        statuses = ({Path(r["path"]).name: r["status"] for r in _results(results_json)}
                    if results_json.stat().st_size <= RESULTS_JSON_MAX else None)
    status: dict[str, int] = {}
    findings = violated = 0
    agree_subs = 0
    bad: list[dict[str, Any]] = []
    for name, entry in entries:
        n, n_bad, got = per_input.get(name, (0, 0, set()))
        if statuses is not None:
            st = statuses.get(name, "absent")
        else:  # a checked county always has findings; an unusable input has none
            st = "checked" if n else "no findings"
        status[st] = status.get(st, 0) + 1
        findings += n
        violated += n_bad
        a = agreement(planted(entry), got)
        if a["agree"] and st == "checked":
            agree_subs += 1
        elif len(bad) < 10:
            bad.append({"submission": name, "status": st, **a})
    return {"scale": scale, "submissions": len(paths), "limit": limit, "command": shown,
            "workers": workers or os.cpu_count(), "exit_code": m.rc, "rows": rows, "records": records,
            "wall_s": round(m.wall_s, 3), "cpu_s": round(m.cpu_s, 3),
            "records_per_s": round(records / m.wall_s, 1), "submissions_per_s": round(len(paths) / m.wall_s, 3),
            "peak_tree_rss_mb": round(m.peak_tree_rss_mb or 0.0, 1), "max_process_rss_mb": round(m.max_rss_mb, 1),
            "status": status, "findings": findings, "findings_not_passed": violated,
            "planted_lapses": sum(len(e["lapses"]) for _, e in entries),
            "agreeing_submissions": agree_subs, "agree": agree_subs == len(paths), "disagreements": bad,
            "load_before": before, "load_after": after}


# ---------------------------------------------------------------- engines


def engines(data: Path, scale: str, repeat: int, lang: str) -> dict[str, Any]:
    from bench.peer import clips_peer, ducha_peer, durable_plain
    from bench.peer.facts import PeerUnsupported, compare, peer_input
    from checker.dataset import load_dataset
    from checker.rulefile import load_pack
    man = manifest(data / scale)
    folder = next(iter(man["by_submission"]))
    path = data / scale / folder
    say(lang, f"引擎对照（{scale}）：{path}，{repeat} 轮", f"engine peers ({scale}): {path}, {repeat} round(s)")
    before = load()
    t0 = time.perf_counter()
    ds = load_dataset(path)
    t1 = time.perf_counter()
    pack = load_pack(ds.header.pack)
    try:
        inp = peer_input(ds, pack)
    except PeerUnsupported as e:
        raise BenchError(f"引擎对照无法用于 {path}：{e}", f"the engine peers cannot run on {path}: {e}") from None
    t2 = time.perf_counter()
    runners: dict[str, Callable[[], Any]] = {
        "ducha": lambda: ducha_peer.run(ds, pack),
        "clips": lambda: clips_peer.run(inp),
        "durable_plain": lambda: durable_plain.run(inp),
    }
    times: dict[str, dict[str, list[float]]] = {k: {"setup": [], "facts": [], "evaluate": [], "total": [], "cpu": []} for k in runners}
    stages: dict[str, dict[str, list[float]]] = {k: {} for k in runners}
    facts: dict[str, int] = {}
    verdicts: dict[str, Any] = {}
    for i in range(repeat):
        for name, fn in runners.items():
            r = fn()
            for k, v in (("setup", r.setup_s), ("facts", r.facts_s), ("evaluate", r.evaluate_s), ("total", r.total_s),
                         ("cpu", r.cpu_s)):
                times[name][k].append(v)
            facts[name] = r.facts
            for k, v in r.stages.items():
                stages[name].setdefault(k, []).append(v)
            if name in verdicts and verdicts[name] != r.verdicts:
                raise AssertionError(f"{name} gave different verdicts in round {i + 1}")
            verdicts[name] = r.verdicts
        say(lang, f"  第 {i + 1}/{repeat} 轮：" + "，".join(f"{k} {v['total'][-1]:.2f} 秒" for k, v in times.items()),
            f"  round {i + 1}/{repeat}: " + ", ".join(f"{k} {v['total'][-1]:.2f} s" for k, v in times.items()))
    ref = verdicts["ducha"]
    out_engines = {}
    disagreements: dict[str, Any] = {}
    for name, t in times.items():
        missing, extra = compare(ref, verdicts[name])
        out_engines[name] = {**{f"{k}_s": round(statistics.median(v), 4) for k, v in t.items()},
                             "runs_total_s": [round(x, 4) for x in t["total"]], "facts": facts[name],
                             "stages_s": {k: round(statistics.median(v), 4) for k, v in stages[name].items()},
                             "verdicts": len(verdicts[name]), "agrees_with_ducha": not missing and not extra}
        if missing or extra:
            disagreements[name] = {"only_ducha": [list(v) for v in missing[:20]], "only_peer": [list(v) for v in extra[:20]],
                                   "only_ducha_count": len(missing), "only_peer_count": len(extra)}
    outcomes: dict[str, int] = {}
    for v in ref:
        key = f"{v.rule} {v.outcome}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return {"scale": scale, "path": str(path), "rules": ["GG-02", "GG-14", "GG-27"], "repeat": repeat,
            "rows": inp.rows, "load_dataset_s": round(t1 - t0, 4), "input_frames_s": round(t2 - t1, 4),
            "engines": out_engines, "outcomes": dict(sorted(outcomes.items())), "agree": not disagreements,
            "disagreements": disagreements, "load_before": before, "load_after": load()}


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = "unknown"
    mem = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for pkg in ("pandas", "pyarrow", "durable_rules", "clipspy", "ducha"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    # Python settings that change a cold start: without bytecode caching every cold
    # ``ducha check`` compiles ducha's modules again.
    env = {k: os.environ[k] for k in ("PYTHONDONTWRITEBYTECODE", "PYTHONOPTIMIZE", "PYTHONHASHSEED") if k in os.environ}
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": mem, "system": platform.platform(),
            "python": platform.python_version(), "packages": versions, "environment": env}


def _secs(x: float) -> str:
    return f"{x:.2f} s" if x < 100 else f"{x:,.0f} s"


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    out = [f"Run {doc['started']} – {doc['finished']} UTC on {m['cores']} cores ({m['cpu']}), "
           f"{m['memory_gib']} GiB, Python {m['python']}; load average at start {doc['load_start']}, "
           f"at end {doc['load_end']}.", "", f"Command: `{doc['command']}`", ""]
    s = doc["sections"]
    if "gate" in s:
        for g in s["gate"]:
            out += [f"CI gate ({g['scale']}, median of {g['repeat']} cold processes):", "",
                    "| input | `ducha check` median (min–max) | floor median | ratio | ≤ 1.0 s | ≤ 3× floor | "
                    "CPU: check / floor | `import pandas, pyarrow` | max RSS | findings = planted | load before → after |",
                    "|---|---|---|---|---|---|---|---|---|---|---|"]
            for r in g["inputs"]:
                if "error" in r:
                    out.append(f"| {r['input']} | error: {r['error'][:120]} | | | | | | | | | |")
                    continue
                c, f = r["check"], r["floor"]
                ok_s = "yes" if r["meets_seconds"] else f"no (+{r['over_seconds']:.2f} s)"
                ok_r = "yes" if r["meets_ratio"] else f"no (+{r['over_ratio']:.2f}×)"
                agree = "yes" if r["findings"]["agree"] else f"no ({r['findings']['missing_count']} missing, {r['findings']['extra_count']} extra)"
                out.append(f"| {r['input']} | {c['median_s']:.2f} s ({c['min_s']:.2f}–{c['max_s']:.2f}) | {f['median_s']:.2f} s | "
                           f"{r['ratio']:.1f}× | {ok_s} | {ok_r} | "
                           f"{r['check_cpu']['median_s']:.2f} s / {r['floor_cpu']['median_s']:.2f} s | {r['import_pandas']['median_s']:.2f} s | "
                           f"{r['max_rss_mb']:.0f} MB | {agree} | "
                           f"{r['load_before'][0]} → {r['load_after'][0]} |")
            out.append("")
    if "batch" in s:
        out += ["Batch (`ducha batch`):", "",
                "| scale | submissions | records | wall | CPU | records/s | peak RSS (tree) | findings (not passed) | findings = planted | load before → after |",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for b in s["batch"]:
            if "error" in b:
                out.append(f"| {b['scale']} | {b['submissions']} | error: {b['error'][:120]} | | | | | | | |")
                continue
            agree = "yes" if b["agree"] else f"no ({b['submissions'] - b['agreeing_submissions']} submissions differ)"
            out.append(f"| {b['scale']}{' (first ' + str(b['limit']) + ')' if b['limit'] else ''} | {b['submissions']:,} | "
                       f"{b['records']:,} | {_secs(b['wall_s'])} | {_secs(b['cpu_s'])} | {b['records_per_s']:,.0f} | "
                       f"{b['peak_tree_rss_mb']:,.0f} MB | {b['findings']:,} ({b['findings_not_passed']:,}) | {agree} | "
                       f"{b['load_before'][0]} → {b['load_after'][0]} |")
        out.append("")
    if "engines" in s:
        for e in s["engines"]:
            out += [f"Engine peers ({e['scale']}: GG-02, GG-14, GG-27 on {e['rows']:,} rows; median of {e['repeat']}; "
                    f"loading the submission {e['load_dataset_s']:.2f} s and the shared frames {e['input_frames_s']:.2f} s "
                    "are not included):", "",
                    "| engine | setup | facts | evaluate | facts + evaluate | CPU (all three) | engine facts | verdicts | same verdicts as ducha |",
                    "|---|---|---|---|---|---|---|---|---|"]
            for name, r in e["engines"].items():
                out.append(f"| {name} | {r['setup_s']:.3f} s | {r['facts_s']:.3f} s | {r['evaluate_s']:.3f} s | "
                           f"{r['total_s']:.3f} s | {r['cpu_s']:.3f} s | {r['facts']:,} | {r['verdicts']:,} | {'yes' if r['agrees_with_ducha'] else 'NO'} |")
            for name, r in e["engines"].items():
                if r["stages_s"]:
                    out += ["", f"{name} by stage: " + ", ".join(f"{k} {v:.3f} s" for k, v in r["stages_s"].items()) + "."]
            out += ["", "Verdicts: " + ", ".join(f"{k}: {v:,}" for k, v in e["outcomes"].items()) + "; "
                    f"load average {e['load_before'][0]} → {e['load_after'][0]}.", ""]
    return "\n".join(out)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def run(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    scales = [s for s in args.scales.split(",") if s]
    unknown = [s for s in scales if s not in SINGLE + MULTI]
    if unknown or not scales:
        raise BenchError(f"--scales：未知规模 {', '.join(unknown) or '（空）'}（可用：tiny, county, province, nation）",
                         f"--scales: unknown scale {', '.join(unknown) or '(none)'} (known: tiny, county, province, nation)")
    sections = [s for s in args.sections.split(",") if s]
    if not sections or any(s not in SECTIONS for s in sections):
        raise BenchError("--sections 只能是 gate, batch, engines", "--sections takes gate, batch, engines")
    if args.repeat < 1 or args.engine_repeat < 1 or (args.limit is not None and args.limit < 1):
        raise BenchError("--repeat、--engine-repeat、--limit 至少为 1", "--repeat, --engine-repeat and --limit must be at least 1")
    data: Path = args.data
    for s in scales:  # every scale's data before any measurement: a typo must not cost a long run
        manifest(data / s)
    doc: dict[str, Any] = {"format": FORMAT, "started": _now(), "command": " ".join(["python bench/run.py", *args.argv]),
                           "data": str(data), "machine": machine(), "load_start": load(), "sections": {}}
    ok = True
    sec = doc["sections"]
    for s in scales:
        if "gate" in sections and s in SINGLE:
            g = gate(data, s, args.repeat, args.lang)
            sec.setdefault("gate", []).append(g)
            ok &= all("error" not in r and r["findings"]["agree"] for r in g["inputs"])
        if "engines" in sections and s in SINGLE:
            e = engines(data, s, args.engine_repeat, args.lang)
            sec.setdefault("engines", []).append(e)
            ok &= e["agree"]
        if "batch" in sections and (s in MULTI or s == "tiny"):
            b = batch(data, s, args.limit, args.workers, args.lang)
            sec.setdefault("batch", []).append(b)
            ok &= "error" not in b and b["agree"]
    doc["finished"], doc["load_end"], doc["ok"] = _now(), load(), ok
    return doc, ok


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default="county", help="comma-separated: tiny, county, province, nation (default county)")
    ap.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated: gate, batch, engines (default all)")
    ap.add_argument("--data", type=Path, default=DEFAULT_OUT, help=f"generated data (default {DEFAULT_OUT})")
    ap.add_argument("--repeat", type=int, default=7, help="gate: timed runs per input (default 7)")
    ap.add_argument("--engine-repeat", type=int, default=3, help="engines: rounds (default 3)")
    ap.add_argument("--limit", type=int, default=None, help="batch: only the first N submissions of a scale")
    ap.add_argument("--workers", type=int, default=None, help="batch: ducha batch --workers (default: ducha's)")
    ap.add_argument("--out", type=Path, default=None, help=f"results JSON (default {RESULTS_DIR}/<UTC date>.json)")
    ap.add_argument("--markdown", nargs="?", const="", default=None, metavar="PATH",
                    help="also write Markdown tables (default: --out with .md) and print them")
    ap.add_argument("--lang", choices=["zh", "en"], default="zh", help="message language (default zh)")
    args = ap.parse_args(argv)
    args.argv = argv
    try:
        doc, ok = run(args)
    except BenchError as e:
        say(args.lang, e.zh, e.en)
        return 2
    out: Path = args.out or RESULTS_DIR / f"{dt.datetime.now(dt.timezone.utc).date().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(args.lang, f"已写入 {out}", f"wrote {out}")
    if args.markdown is not None:
        md = markdown(doc)
        mpath = Path(args.markdown) if args.markdown else out.with_suffix(".md")
        mpath.write_text(md + "\n", encoding="utf-8")
        print(md)
        say(args.lang, f"已写入 {mpath}", f"wrote {mpath}")
    if not ok:
        say(args.lang, "有不一致或失败（见结果文件）", "an agreement failed or a command failed (see the results file)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
