"""Honest figures for docs/reliability.md, counted by the tests themselves.

When ``DUCHA_TALLY`` names a file, :func:`record` appends one JSON line per event (an input
tried, a fault injected, a finding lost); otherwise it does nothing. Run

    .venv/bin/python -m tests.properties.tally            # default profile (what CI runs)
    HYPOTHESIS_PROFILE=nightly .venv/bin/python -m tests.properties.tally

to run the property and reliability tests with counting on and print the totals as the
Markdown table that docs/reliability.md quotes. The exit code is pytest's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ENV = "DUCHA_TALLY"
ROOT = Path(__file__).resolve().parents[2]
SUITES = ["tests/properties", "tests/reliability"]

LABELS = {
    "inputs.pipeline": "generated inputs run through load → validate → evaluate (in process)",
    "inputs.tabular": "generated inputs written as xlsx or CSV packages, then checked (in process)",
    "inputs.cli": "generated inputs run through `ducha check` (main())",
    "inputs.batch": "generated inputs in `ducha batch` folders",
    "inputs.corpus": "hand-made bad inputs of the corpus (tests/corpus, each with its exact expected problems)",
    "checked": "in-process inputs that were checked (evaluated)",
    "invalid": "in-process inputs refused as invalid",
    "failed": "in-process inputs failed (only an unknown pack may)",
    "breaks.verified": "mutations that broke a record, refused with a problem at that record",
    "same.verified": "verdict-preserving mutations (key order) with identical findings",
    "rows.verified": "records of checked inputs verified loaded intact",
    "evidence.verified": "evidence references verified to resolve to a loaded record",
    "batches": "batch runs",
    "faults.segv": "faults injected: SIGSEGV in a worker",
    "faults.abort": "faults injected: SIGABRT in a worker",
    "faults.exit": "faults injected: worker exits",
    "faults.hang": "faults injected: hangs past --timeout",
    "faults.raise": "faults injected: exceptions",
    "faults.oom": "faults injected: MemoryError",
    "faults.accounted": "injected faults reported as failed with their reason",
    "payloads.csv_xlsx": "formula payload cells read back from CSV/XLSX",
    "payloads.html": "markup payloads rendered in headless Chromium",
    "findings.lost": "findings lost: checked inputs not loaded intact or citing evidence not loaded — must be 0",
}


def record(key: str, n: int = 1) -> None:
    """Count ``n`` events under ``key`` (only when counting is on)."""
    target = os.environ.get(ENV)
    if not target or n == 0:
        return
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"key": key, "n": n}) + "\n")


def totals(path: Path) -> Counter[str]:
    c: Counter[str] = Counter()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                c[d["key"]] += int(d["n"])
    return c


def table(c: Counter[str]) -> str:
    lines = ["| figure | count |", "|---|---:|"]
    keys = list(LABELS) + sorted(k for k in c if k not in LABELS)
    for k in keys:
        if k in c or k == "findings.lost":
            lines.append(f"| {LABELS.get(k, k)} | {c.get(k, 0)} |")
    faults = sum(v for k, v in c.items() if k.startswith("faults.") and k != "faults.accounted")
    inputs = sum(v for k, v in c.items() if k.startswith("inputs."))
    lines += [f"| **inputs tried, all paths** | **{inputs}** |", f"| **faults injected** | **{faults}** |"]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    suites = [s for s in (argv or SUITES + ["tests/corpus"]) if (ROOT / s).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tally.jsonl"
        env = dict(os.environ, **{ENV: str(out)})
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *suites],
                              cwd=ROOT, env=env, check=False)
        c = totals(out)
    corpus = ROOT / "tests" / "corpus" / "expected.yaml"
    if "tests/corpus" in suites and corpus.exists() and proc.returncode == 0:
        import yaml  # the corpus suite passed: each of its inputs was tried
        c["inputs.corpus"] += len(yaml.safe_load(corpus.read_text(encoding="utf-8")) or {})
    profile = os.environ.get("HYPOTHESIS_PROFILE", "default")
    print(f"\nhypothesis profile: {profile}; suites: {' '.join(suites)}; pytest exit {proc.returncode}\n")
    print(table(c))
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
