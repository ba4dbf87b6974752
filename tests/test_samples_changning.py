"""The Changning samples (samples/changning/) and the pack's integrity.

Samples: the committed JSON files are exactly what ``generate.py`` writes, and each file's
violated findings are exactly the planted lapses (no others, no errors), as README.md lists
them. Pack: every rule quotes the seed verbatim, the pack implements every catalogue ID, and
each table row is judged for completion or progress by exactly one rule file.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from checker.dataset import load_dataset
from checker.evaluate import Evaluator
from checker.finding import Finding
from checker.rulefile import Pack, load_pack

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "changning"
PACK_DIR = REPO / "rules" / "changning-biodiversity"
SEED = REPO.parent / "shared" / "seeds" / "000_1ec2445c24fb6303.txt"

Row = tuple[str, str, str, tuple[str, ...], int | None, tuple[str, ...]]  # rule subject reason parts days leads

ECO, GREEN, BUILD, HR = "区生态环境局", "区绿化市容局", "区建管委", "区人社局"
LAPSE_1 = ("CN-06", "310105", "missing", ("2025",))
LAPSE_4 = ("CN-05", "native_species_count", "below_threshold", ("2025",))
LAPSE_5 = ("CN-08", "biodiversity-day", "missing", ("2025",))
LAPSE_3 = ("CN-T-progress", "CN-T46", "missing", ("2025Q2", "2025Q3"))

#: file -> the exact violated findings (README.md's table says the same).
EXPECTED: dict[str, set[Row]] = {
    "310105-2023Q4.json": set(),
    "310105-2024Q4.json": {("CN-T19", "CN-T19", "missing", (), 0, (ECO,))},
    "310105-2025Q4.json": {
        (*LAPSE_4, 0, (GREEN,)),
        (*LAPSE_1, 0, (ECO,)),
        (*LAPSE_5, 208, (BUILD, ECO, GREEN)),
        ("CN-T19", "CN-T19", "late", (), 344, (ECO,)),
        (*LAPSE_3, 184, (HR,)),
    },
    "310105-2026Q3.json": {
        (*LAPSE_4, 273, (GREEN,)),
        (*LAPSE_1, 273, (ECO,)),
        (*LAPSE_5, 481, (BUILD, ECO, GREEN)),
        ("CN-T19", "CN-T19", "late", (), 344, (ECO,)),
        (*LAPSE_3, 457, (HR,)),
    },
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("changning_generate", SAMPLES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("changning-biodiversity")


@pytest.fixture(scope="module")
def evaluator(pack: Pack) -> Evaluator:
    return Evaluator(pack)  # shared, so the compiled rulesets are reused across the files


@pytest.fixture(scope="module")
def findings(evaluator: Evaluator) -> dict[str, list[Finding]]:
    return {name: evaluator.evaluate(load_dataset(SAMPLES / name)) for name in EXPECTED}


def _row(f: Finding) -> Row:
    return (f.rule, f.subject_id, str(f.reason), f.parts, f.days_overdue, f.lead_units)


# --------------------------------------------------------------------------- samples

def test_committed_samples_are_the_generators_output() -> None:
    rendered = _generator().render()
    assert sorted(rendered) == sorted(EXPECTED)
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(EXPECTED)
    for name, text in rendered.items():
        assert (SAMPLES / name).read_bytes() == text.encode("utf-8"), \
            f"{name} is stale: run samples/changning/generate.py"


def test_generator_is_deterministic() -> None:
    assert _generator().render() == _generator().render()


def test_generator_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    gen = _generator()
    assert gen.main(["--out", str(tmp_path)]) == 0
    assert gen.main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "310105-2024Q4.json").write_text("{}\n", encoding="utf-8")
    assert gen.main(["--out", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_violated_findings_are_exactly_the_planted_lapses(name: str, findings: dict[str, list[Finding]]) -> None:
    got = findings[name]
    assert {_row(f) for f in got if f.outcome == "violated"} == EXPECTED[name]
    assert [f for f in got if f.outcome == "error"] == []
    assert all(f.severity == "error" for f in got if f.outcome == "violated")  # no warnings planted


def test_otherwise_the_district_passes(findings: dict[str, list[Finding]]) -> None:
    """What is not violated is passed, pending (not yet due) or not applicable for a stated
    reason, so the samples are compliant rather than silently unexamined."""
    for name, got in findings.items():
        reasons = {(f.rule, f.reason) for f in got if f.outcome == "not_applicable"}
        allowed = {"not_effective", "not_configured", "nothing_examined", "no_baseline"}
        assert {r for _, r in reasons} <= allowed, (name, reasons)
    final = findings["310105-2026Q3.json"]
    passed = {(f.rule, f.subject_id) for f in final if f.outcome == "passed"}
    assert len([p for p in passed if p[0] == "CN-T-leads"]) == 46
    assert len([p for p in passed if p[0] == "CN-T-progress"]) == 30  # 31 rows, T46 violated
    assert {f.subject_id for f in final if f.outcome == "pending"} >= {"CN-T18", "habitat_harmony_index"}


def test_lapse_messages_name_the_task_quarters_and_unit(findings: dict[str, list[Finding]]) -> None:
    f = next(f for f in findings["310105-2025Q4.json"] if f.rule == "CN-T-progress" and f.outcome == "violated")
    text = "依托科研院所、高校专业教育优势,进一步加大生物多样性保护领域人才培养和引进力度。"
    assert f.message_zh == f"持续推进任务CN-T46（{text}）应由牵头部门每季度报送进展：缺失（季度：2025Q2、2025Q3）"
    assert f.message_en == (f"Ongoing task CN-T46 ({text}) must have a progress entry from a lead unit every "
                            "quarter: missing (quarters: 2025Q2, 2025Q3)")
    f = next(f for f in findings["310105-2025Q4.json"] if f.rule == "CN-T19")
    assert f.message_zh == "任务CN-T19的成果“指示物种清单”应于2024-12-31前印发：逾期（印发日期：2025-12-10）"


def test_wildlife_month_set_by_the_office_passes_the_april_activities(pack: Pack) -> None:
    ev = Evaluator(pack.select(["CN-08-month"], None), overrides={"wildlife_month": 4})
    got = ev.evaluate(load_dataset(SAMPLES / "310105-2026Q3.json"))
    assert [(f.subject_id, f.outcome) for f in got] == [("wildlife-month", "passed")]


def _readme_rows() -> dict[str, set[Row]]:
    out: dict[str, set[Row]] = {}
    for line in (SAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[0].endswith(".json"):
            continue
        name, rule, subject, reason, parts, days, leads, _ = cells
        out.setdefault(name, set())
        if rule == "—":
            continue
        split = lambda s: tuple(s.split("、")) if s != "—" else ()  # noqa: E731
        out[name].add((rule, subject, reason, split(parts), None if days == "—" else int(days), split(leads)))
    return out


def test_readme_lists_exactly_the_expected_findings() -> None:
    assert _readme_rows() == EXPECTED


# --------------------------------------------------------------------------- pack integrity

def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_quote_is_verbatim_from_the_seed(pack: Pack) -> None:
    if not SEED.is_file():
        pytest.skip(f"seed not found at {SEED}")
    seed = _normalise(SEED.read_text(encoding="utf-8"))
    missing = [r.id for r in pack.rules if _normalise(r.spec.source.quote) not in seed]
    assert missing == []


def test_the_pack_implements_every_catalogue_id(pack: Pack) -> None:
    ids = {o for r in pack.rules for o in r.spec.obligations}
    want = {f"CN-{i:02d}" for i in range(1, 10)} | {f"CN-T{i:02d}" for i in range(1, 47)}
    assert ids == want


def _tasks() -> list[dict[str, Any]]:
    return list(yaml.safe_load((PACK_DIR / "tasks.yaml").read_text(encoding="utf-8"))["rows"])


def test_each_row_is_judged_for_completion_or_progress_by_exactly_one_rule(pack: Pack) -> None:
    """Dated rows: CN-T-completion, or the rule that carries the row (CN-T19, CN-06);
    ongoing rows: CN-T-progress, or CN-09 (T12). One lapse, one finding."""
    judges = {"CN-T-completion", "CN-T-progress", "CN-T19", "CN-06", "CN-09"}
    by_row: dict[str, list[str]] = {}
    for r in pack.rules:
        if r.id in judges:
            for o in r.spec.obligations:
                if o.startswith("CN-T"):
                    by_row.setdefault(o, []).append(r.id)
    rows = _tasks()
    assert {ref: len(rules) for ref, rules in by_row.items()} == {row["ref"]: 1 for row in rows}
    for row in rows:
        (rule,) = by_row[row["ref"]]
        assert rule in (("CN-T-completion", "CN-T19", "CN-06") if row["kind"] == "dated" else ("CN-T-progress", "CN-09"))


def test_ledger_rule_obligations_match_the_rows_they_check(pack: Pack) -> None:
    rows = _tasks()
    refs = {kind: {r["ref"] for r in rows if kind == "all" or r["kind"] == kind} for kind in ("all", "dated", "ongoing")}
    for rule in pack.rules:
        if rule.spec.kind != "ledger":
            continue
        spec = rule.spec.spec
        checked = {ref for ref in refs[spec.rows] if (spec.only is None or ref in spec.only) and ref not in spec.exclude}
        declared = {o for o in rule.spec.obligations if o.startswith("CN-T")}
        assert checked == declared, rule.id


def test_pack_metadata() -> None:
    meta = yaml.safe_load((PACK_DIR / "pack.yaml").read_text(encoding="utf-8"))
    assert meta["format"] == "ducha-pack/1" and meta["name"] == "changning-biodiversity"
    assert (REPO.parent / "shared" / meta["source"]).is_file() or not (REPO.parent / "shared").is_dir()
