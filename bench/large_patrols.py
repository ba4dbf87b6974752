"""Measure load + validate of a large patrol table (CSV and Parquet folders).

    .venv/bin/python bench/large_patrols.py [--rows 1000000] [--keep DIR]

Builds a valid county submission whose ``patrols`` table has ``--rows`` records (2,000
village chiefs, dates spread over 2018), writes it once as a CSV folder and once as a
folder with ``patrols.parquet``, then loads each in a fresh subprocess and prints wall time
and CPU time per stage and the peak resident memory of that process (CPU time is the
steadier number on a shared machine). Deterministic input (seeded).
Not part of the test suite: it takes tens of seconds and a few hundred MB.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CHIEFS = 2000


def build(folder: Path, rows: int, parquet: bool) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = [("schema_version", "1.0"), ("submission_id", "BENCH-1"), ("pack", "guigang-river-chief"),
              ("jurisdiction", "450802"), ("period", "2018Q4"), ("as_of", "2018-12-31")]
    with open(folder / "header.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([("field", "value"), *header])
    pd.DataFrame({"code": ["450800", "450802"], "name": ["贵港市", "港北区"], "level": ["city", "county"],
                  "parent": ["", "450800"]}).to_csv(folder / "jurisdictions.csv", index=False)
    pd.DataFrame({"id": ["W1"], "name": ["郁江"], "kind": ["river"], "main_river": ["true"]}).to_csv(
        folder / "water_bodies.csv", index=False)
    pd.DataFrame({"id": [f"R{i}" for i in range(CHIEFS)], "water_body": "W1", "jurisdiction": "450802",
                  "length_km": 1.5}).to_csv(folder / "reaches.csv", index=False)
    pd.DataFrame({"id": [f"C{i}" for i in range(CHIEFS)], "name": [f"河长{i}" for i in range(CHIEFS)],
                  "level": "village", "post": "village_cadre", "jurisdiction": "450802", "water_body": "W1",
                  "reach": [f"R{i}" for i in range(CHIEFS)], "appointed": "2017-06-01"}).to_csv(
        folder / "chiefs.csv", index=False)
    rng = np.random.default_rng(7)
    chief = rng.integers(0, CHIEFS, rows)
    day = rng.integers(0, 365, rows)
    dates = (np.datetime64("2018-01-01") + day.astype("timedelta64[D]")).astype(str)
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(rows)], "chief": pd.Series(chief).map(lambda c: f"C{c}"),
                          "reach": pd.Series(chief).map(lambda c: f"R{c}"), "date": dates,
                          "duration_min": rng.integers(10, 120, rows).astype(float)})
    if parquet:
        frame.to_parquet(folder / "patrols.parquet", index=False)
    else:
        frame.to_csv(folder / "patrols.csv", index=False)


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from checker.load import load_path
from checker.dataset import build_dataset
w0, c0 = time.perf_counter(), time.process_time()
raw = load_path(Path(sys.argv[1]))
w1, c1 = time.perf_counter(), time.process_time()
ds = build_dataset(raw)
w2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"load_cpu_s": round(c1 - c0, 2), "validate_cpu_s": round(c2 - c1, 2),
                  "load_wall_s": round(w1 - w0, 2), "validate_wall_s": round(w2 - w1, 2),
                  "rows": len(ds.tables["patrols"]),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="build the inputs here and keep them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for fmt in ("csv", "parquet"):
            folder = base / f"patrols-{fmt}"
            build(folder, args.rows, parquet=fmt == "parquet")
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], cwd=REPO, capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{fmt}: FAILED\n{out.stderr[-3000:]}")
                return 1
            print(f"{fmt:8s} {size:7.1f} MB on disk  {json.loads(out.stdout.strip().splitlines()[-1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
