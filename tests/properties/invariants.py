"""What "no evidence lost" means, as checks on one input and its result.

The guarantee (docs/reliability.md, "Evidence is never dropped"):

1. A record with a problem is never silently dropped or repaired: the submission is refused
   (``invalid``, exit 2) and a problem names the record (:func:`assert_refused_at`).
2. A submission that is checked was loaded intact: every table of the :class:`Dataset` has
   exactly the records of the input, in order (``_row`` = 0…n-1), each field present in the
   input holds the input's value (:func:`assert_loaded_intact`).
3. Hence every finding's evidence reference resolves to a record of the input
   (:func:`assert_evidence_resolves`): no finding — passed or not — rests on a record the
   checker did not load, and none can pass because a record was dropped.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Any

from checker.dataset import Dataset, to_document
from checker.model import TABLES
from checker.run import SubmissionResult


def _at(pointer: str, wanted: tuple[str, ...]) -> bool:
    """``pointer`` is one of ``wanted`` or inside it (``/t/1/x`` is inside ``/t/1``, ``/t/10`` is not)."""
    for w in wanted:
        if w == "":
            if pointer in ("", "/"):
                return True
        elif pointer == w or pointer.startswith(w + "/"):
            return True
    return False


def assert_refused_at(result: SubmissionResult, wanted: tuple[str, ...]) -> None:
    assert result.status == "invalid", (result.status, result.reason, wanted)
    pointers = [p.location.pointer or "" for p in result.problems]
    assert any(_at(p, wanted) for p in pointers), f"no problem at {wanted}; problems at {pointers[:20]}"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b or unicodedata.normalize("NFKC", a).strip() == unicodedata.normalize("NFKC", b).strip()
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(float(a), float(b), rel_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def assert_loaded_intact(doc: dict[str, Any], ds: Dataset) -> int:
    """Every record of ``doc`` is in ``ds`` with its values; returns the number of records."""
    loaded = to_document(ds)
    n_rows = 0
    for t in TABLES:
        src = doc.get(t) or []
        frame = ds.tables[t]
        assert len(frame) == len(src), f"{t}: {len(src)} records sent, {len(frame)} loaded"
        assert list(frame["_row"]) == list(range(len(src))), f"{t}: record positions changed"
        for i, (a, b) in enumerate(zip(src, loaded.get(t) or [])):
            for k, v in a.items():
                assert _same(v, b.get(k)), f"/{t}/{i}/{k}: sent {v!r}, loaded {b.get(k)!r}"
        n_rows += len(src)
    return n_rows


def _resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            assert token.isdigit() and int(token) < len(node), f"{pointer}: no such record"
            node = node[int(token)]
        else:
            assert isinstance(node, dict) and token in node, f"{pointer}: no such field"
            node = node[token]
    return node


def assert_evidence_resolves(doc: dict[str, Any], result: SubmissionResult) -> int:
    """Every evidence reference ``file#/table/i`` names a record of ``doc``; returns how many."""
    n = 0
    for f in result.findings:
        for ref in f.evidence:
            assert "#" in ref, f"{f.rule} {f.subject_id}: evidence {ref!r} is not a location in the input"
            pointer = ref.split("#", 1)[1]
            node = _resolve(doc, pointer)
            if pointer.count("/") >= 2 and pointer.split("/")[1] in TABLES:
                assert isinstance(node, dict), f"{ref}: not a record"
            n += 1
    return n


def comparable(result: SubmissionResult) -> list[dict[str, Any]]:
    """Findings without the input's file name (the same data under another path)."""
    out = []
    for f in result.findings:
        d = f.to_dict()
        d.pop("file", None)
        d["evidence"] = [e.split("#", 1)[-1] for e in d["evidence"]]
        out.append(d)
    return out
