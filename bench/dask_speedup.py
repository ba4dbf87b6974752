"""Time ``ducha batch --executor dask`` on a local Dask cluster of 1 and of 2 worker processes.

    .venv/bin/python -m bench.dask_speedup PATH [PATH...] [--workers 1 2] [--out DIR]

Each run starts a fresh ``distributed.LocalCluster`` (processes, one thread per worker), runs
the batch in this process against it, and reports the wall time; the results of every run
must be byte-identical (the script says so, and exits 1 when they are not). Prints one JSON
line per run and a speed-up line, e.g. for the province data:

    .venv/bin/python -m bench.dask_speedup bench/data/province --out /tmp/dask-speedup
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
import time
from pathlib import Path


def time_batch(paths: list[Path], workers: int, out: Path) -> dict[str, object]:
    """One batch on a fresh LocalCluster of ``workers`` processes: wall seconds and exit code."""
    from distributed import LocalCluster

    from checker.cli.main import main
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["batch", *map(str, paths), "--out", str(out), "--lang", "en",
                         "--executor", "dask", "--scheduler", cluster.scheduler_address])
        seconds = time.perf_counter() - start
    return {"workers": workers, "seconds": round(seconds, 2), "exit": code, "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    p.add_argument("--out", type=Path, default=Path("/tmp/dask-speedup"))
    args = p.parse_args(argv)
    runs = []
    for n in args.workers:
        run = time_batch(args.paths, n, args.out / f"workers-{n}")
        print(json.dumps(run), flush=True)
        runs.append(run)
    same = len({(Path(str(r["out"])) / "results.json").read_bytes() for r in runs}) == 1
    base = float(str(runs[0]["seconds"]))
    for r in runs[1:]:
        print(f"{r['workers']} workers vs {runs[0]['workers']}: speed-up {base / float(str(r['seconds'])):.2f}x")
    print("results.json identical across runs" if same else "results.json DIFFERS between runs", file=sys.stderr)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
