"""bench/run.py and bench/peer/: the benchmark harness at the tiny scale (no timing assertions).

The harness runs every section on freshly generated tiny data and must write a results file
of the documented structure in which the CI gate's and the batch's findings equal the
planted lapses and the three engines (ducha, CLIPS, plain durable_rules) give the same
verdicts. The peers are also run with a changed parameter (they must still agree, and
differ from the default), and a disagreement must be reported as one.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.generate import generate, generate_json
from bench.peer import clips_peer, ducha_peer, durable_plain
from bench.peer.facts import PeerUnsupported, Verdict, compare, peer_input
from bench.run import main, measure
from checker.dataset import Dataset, load_dataset
from checker.engine import check_rules
from checker.engine import fnv1a32 as engine_fnv
from checker.rulefile import Pack, load_pack


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench")
    generate("tiny", root / "tiny", seed=5)
    generate_json("tiny", root / "tiny.json", seed=5)
    return root


@pytest.fixture(scope="module")
def ds(data: Path) -> Dataset:
    return load_dataset(data / "tiny" / "450802")


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("guigang-river-chief")


@pytest.mark.slow
def test_harness_runs_every_section_at_tiny_scale(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    rc = main(["--scales", "tiny", "--data", str(data), "--repeat", "1", "--engine-repeat", "1",
               "--out", str(out), "--markdown", "--lang", "en"])
    assert rc == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    manifest = json.loads((data / "tiny" / "lapses.json").read_text(encoding="utf-8"))
    entry = manifest["by_submission"]["450802"]
    assert doc["format"] == "ducha-bench-results/1" and doc["ok"] is True
    assert {"cpu", "cores", "memory_gib", "python", "packages"} <= set(doc["machine"])
    assert len(doc["load_start"]) == 3 and doc["command"].startswith("python bench/run.py --scales tiny")

    (gate,) = doc["sections"]["gate"]
    assert [r["input"] for r in gate["inputs"]] == ["json", "csv"]
    for r in gate["inputs"]:
        assert len(r["check"]["runs_s"]) == len(r["floor"]["runs_s"]) == 1
        assert r["findings"]["agree"] and r["findings"]["planted"] == len(entry["lapses"])
        assert {"ratio", "meets_seconds", "meets_ratio", "check_cpu", "floor_cpu", "import_pandas", "max_rss_mb",
                "load_before", "load_after"} <= set(r)

    (batch,) = doc["sections"]["batch"]
    assert batch["submissions"] == 1 and batch["status"] == {"checked": 1} and batch["agree"]
    assert batch["records"] == sum(entry["rows"].values())
    assert batch["findings_not_passed"] == batch["planted_lapses"] == len(entry["lapses"])
    assert batch["peak_tree_rss_mb"] > 0 and batch["exit_code"] == 1  # the planted lapses are errors

    (eng,) = doc["sections"]["engines"]
    assert eng["agree"] and eng["disagreements"] == {}
    assert set(eng["engines"]) == {"ducha", "clips", "durable_plain"}
    counts = {r["verdicts"] for r in eng["engines"].values()}
    assert len(counts) == 1 and all(r["agrees_with_ducha"] for r in eng["engines"].values())
    assert set(eng["engines"]["ducha"]["stages_s"]) == {"aggregate", "facts", "engine", "outcomes"}
    assert all({"setup_s", "facts_s", "evaluate_s", "total_s", "cpu_s"} <= set(r) for r in eng["engines"].values())
    assert {"GG-02 violated", "GG-14 violated", "GG-27 violated", "GG-27 passed"} <= set(eng["outcomes"])

    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| durable_plain |" in md and "| json |" in md and "| tiny |" in md
    assert md.strip() in capsys.readouterr().out


def test_peers_agree_on_default_and_changed_parameters(ds: Dataset, pack: Pack) -> None:
    runs = {}
    for params in ({}, {"patrol_min_per_period": 2, "work_plan_due": "2018-03-31"}):
        inp = peer_input(ds, pack, params)
        got = {"ducha": ducha_peer.run(ds, pack, params).verdicts, "clips": clips_peer.run(inp).verdicts,
               "durable_plain": durable_plain.run(inp).verdicts}
        for name, verdicts in got.items():
            assert compare(got["ducha"], verdicts) == ([], []), name
        runs[json.dumps(params)] = got["ducha"]
    default, changed = runs.values()

    def violated(vs: frozenset[Verdict], rule: str) -> set[str]:
        return {v.subject for v in vs if v.rule == rule and v.outcome == "violated"}
    # Two patrols a period is a stricter minimum; a later due date forgives the late plan.
    assert violated(changed, "GG-27") > violated(default, "GG-27")
    assert violated(default, "GG-14") and not violated(changed, "GG-14")


def test_a_disagreement_is_reported(ds: Dataset, pack: Pack) -> None:
    verdicts = clips_peer.run(peer_input(ds, pack)).verdicts
    some = sorted(verdicts)[0]
    flipped = (verdicts - {some}) | {some._replace(outcome="violated", reason="missing")}
    assert compare(verdicts, flipped) == ([some], [some._replace(outcome="violated", reason="missing")])


def test_peers_refuse_what_they_do_not_encode(ds: Dataset, pack: Pack) -> None:
    with pytest.raises(PeerUnsupported):
        peer_input(ds, pack.select(["GG-02"], None))


def test_durable_plain_follows_the_recipe() -> None:
    """The plain script's rules pass ducha's own engine checks (guard first, _k term, no id)."""
    definition = durable_plain.define_rules("recipe_check", lambda rule, c: None)
    rules = {name: {k: v for k, v in rule.items() if k not in ("run", "cap")} for name, rule in definition.items()}
    check_rules(rules)
    assert all(next(iter(r["all"][0])) == "e" for r in rules.values())
    for text in ("f0", "f12~3", "s1", "sid-s7", "河长"):
        assert durable_plain.fnv1a32(text) == engine_fnv(text)


def test_tree_rss_counts_the_children() -> None:
    child = "import time; x = b'x' * (120 * 2**20); time.sleep(1.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    m = measure([sys.executable, "-c", parent], sample=True)
    assert m.rc == 0
    assert m.peak_tree_rss_mb is not None and m.peak_tree_rss_mb >= 120


def test_cli_refuses_bad_input_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scales", "county,town", "--data", str(tmp_path), "--lang", "en"]) == 2
    assert main(["--scales", "county", "--data", str(tmp_path)]) == 2
    assert main(["--scales", "tiny", "--repeat", "0", "--data", str(tmp_path), "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "--scales: unknown scale town (known: tiny, county, province, nation)",
        f"没有数据：{tmp_path / 'county' / 'lapses.json'} 不存在；请先运行 bench/generate.py（见 docs/benchmarks.md）",
        "--repeat, --engine-repeat and --limit must be at least 1",
    ]
    assert list(tmp_path.iterdir()) == []
