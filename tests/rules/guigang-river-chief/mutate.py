"""Mutation check of the Guigang pack's fixtures: a wrong rule must fail at least one case.

For each rule file it makes small wrong variants — a due date (or MM-DD) one day earlier or
later, a number nudged, a period kind coarsened, a submitter level added or dropped, a filter,
the evidence date or a name normalisation removed, a required value or an allowed post added or
dropped — and runs the rule's fixture cases against each. A variant that passes every case
*survives*: the fixtures would not notice that mistake. It takes minutes per rule, so it is a
tool, not part of the suite:

    .venv/bin/python tests/rules/guigang-river-chief/mutate.py [RULE-ID ...]

Exit status 1 when a variant survives. Variants that cannot change any outcome are listed in
EQUIVALENT and skipped.
"""
from __future__ import annotations

import copy
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from checker.dataset import dataset_from_document  # noqa: E402
from checker.evaluate import Evaluator  # noqa: E402
from checker.rulefile import load_pack  # noqa: E402
from tests.rules.fixtures import apply_case, base_doc, compare  # noqa: E402

PACK = "guigang-river-chief"
SRC = ROOT / "rules" / PACK
FIX = ROOT / "tests" / "rules" / PACK
LEVELS = ("city", "county", "township", "village")
COARSER = {"week": "xun", "xun": "month", "month": "quarter", "quarter": "year"}
# The evidence date of these is `reported`, so a record without one is never evidence anyway;
# no host unit is literally named "other".
EQUIVALENT = {("GG-14", "drop evidence.where.reported"), ("GG-15", "drop evidence.where.reported"),
              ("GG-26", "drop evidence.where.reported"), ("GG-11-host", "case0 allowed + other")}

Variant = tuple[str, dict[str, Any]]


def _variant(doc: dict[str, Any], label: str, change: Any) -> Variant:
    m = copy.deepcopy(doc)
    change(m)
    return label, m


def _param_variants(doc: dict[str, Any]) -> Iterator[Variant]:
    for name, p in (doc.get("params") or {}).items():
        v = p["default"]

        def put(value: Any, name: str = name) -> Any:
            return lambda m: m["params"][name].__setitem__("default", value)
        if isinstance(v, dt.date):
            for d in (1, -1):
                yield _variant(doc, f"{name}{d:+d}d", put(v + dt.timedelta(days=d)))
        elif isinstance(v, str) and len(v) == 5 and v[2] == "-" and int(v[3:]) > 1:
            yield _variant(doc, f"{name}-1d", put(f"{v[:3]}{int(v[3:]) - 1:02d}"))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            step = 0.01 if isinstance(v, float) else 1
            for nv in (v + step, v - step):
                yield _variant(doc, f"{name}={nv}", put(nv))
        elif isinstance(v, dict):
            for k in v:
                yield _variant(doc, f"{name}.{k}", put({**v, k: COARSER[v[k]]}))


def _level_variants(doc: dict[str, Any]) -> Iterator[Variant]:
    levels = doc["applies_to"]["submitter_levels"]
    for lv in LEVELS:
        new = [x for x in levels if x != lv] if lv in levels else [*levels, lv]
        if new:
            yield _variant(doc, f"levels{'-' if lv in levels else '+'}{lv}",
                           lambda m, new=new: m["applies_to"].__setitem__("submitter_levels", new))


def _drop(path: tuple[str, ...]) -> Any:
    def change(m: dict[str, Any]) -> None:
        node = m
        for p in path[:-1]:
            node = node[p]
        del node[path[-1]]
    return change


def _spec_variants(doc: dict[str, Any]) -> Iterator[Variant]:
    spec = doc["spec"]
    subjects = spec.get("subjects") or {}
    for lv in subjects.get("where_by_level") or {}:
        yield _variant(doc, f"drop where_by_level.{lv}", _drop(("spec", "subjects", "where_by_level", lv)))
    for k in subjects.get("where") or {}:
        yield _variant(doc, f"drop subjects.where.{k}", _drop(("spec", "subjects", "where", k)))
    for part in ("evidence", "count"):
        ev = spec.get(part)
        if not isinstance(ev, dict):
            continue
        for k in ev.get("where") or {}:
            yield _variant(doc, f"drop {part}.where.{k}", _drop(("spec", part, "where", k)))
        for k in ("date", "normalise"):
            if k in ev:
                yield _variant(doc, f"drop {part}.{k}", _drop(("spec", part, k)))
    if "each_of" in spec:
        yield _variant(doc, "each_of minus last", lambda m: m["spec"]["each_of"]["values"].pop())
    for i, case in enumerate(spec.get("cases") or []):
        allowed = case.get("allowed")
        if isinstance(allowed, list):
            if len(allowed) > 1:
                yield _variant(doc, f"case{i} allowed minus last", lambda m, i=i: m["spec"]["cases"][i]["allowed"].pop())
            yield _variant(doc, f"case{i} allowed + other",
                           lambda m, i=i: m["spec"]["cases"][i]["allowed"].append("other"))
    if "normalise" in spec:
        yield _variant(doc, "drop normalise", _drop(("spec", "normalise")))


def variants(doc: dict[str, Any]) -> Iterator[Variant]:
    yield from _param_variants(doc)
    yield from _level_variants(doc)
    yield from _spec_variants(doc)


def killed_by(rule_id: str, variant: dict[str, Any], rules_dir: Path) -> str | None:
    """The first fixture case that fails with ``variant`` in place of the rule (None: it survives)."""
    path = rules_dir / PACK / f"{rule_id}.yaml"
    path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        pack = load_pack(PACK, rules_dir=rules_dir).select([rule_id], None)
    except Exception as e:  # an invalid variant is not a rule anyone could ship
        return f"invalid rule: {e}"
    finally:
        shutil.copy(SRC / f"{rule_id}.yaml", path)
    for case in yaml.safe_load((FIX / f"{rule_id}.yaml").read_text(encoding="utf-8"))["cases"]:
        doc = apply_case(base_doc(PACK, case.get("base", "default")), case)
        as_of = case.get("as_of")
        as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        try:
            compare(Evaluator(pack, overrides=case.get("params") or {}).evaluate(dataset_from_document(doc), as_of), case)
        except Exception:  # AssertionError, or the variant breaks on this case
            return str(case["name"])
    return None


def main(only: list[str]) -> int:
    tmp = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(SRC, tmp / PACK)
        tried, survivors = 0, []
        for f in sorted(SRC.glob("GG-*.yaml")):
            if only and f.stem not in only:
                continue
            for label, variant in variants(yaml.safe_load(f.read_text(encoding="utf-8"))):
                if (f.stem, label) in EQUIVALENT:
                    continue
                tried += 1
                if killed_by(f.stem, variant, tmp) is None:
                    survivors.append((f.stem, label))
                    print("SURVIVED", f.stem, label, flush=True)
        print(f"{tried} variants, {len(survivors)} survived")
        return 1 if survivors else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
