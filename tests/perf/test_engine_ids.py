"""The engine adapter's fact ids (and fact text) are what the plain algorithm gives.

:func:`checker.engine.assign_ids` reuses one precomputed assignment across sessions and
falls back to assigning afresh when a session's own hashes clash with it; the result must
be exactly the plain re-keying loop's, including for sessions made to clash.
"""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.engine import _ID_KEYS, _extend_ids, _session_ids, assign_ids, dumps_fact, fnv1a32


def _reference_ids(n: int, sid: str) -> list[str]:
    used = {fnv1a32(f"sid-{sid}"), fnv1a32(sid)}
    out = []
    for i in range(n):
        base = f"f{i}"
        key, k = base, 0
        h = fnv1a32(key)
        while h in used:
            k += 1
            key = f"{base}~{k}"
            h = fnv1a32(key)
        used.add(h)
        out.append(key)
    return out


def _ids(n: int, sid: str) -> list[str]:
    facts: list[dict[str, Any]] = [{} for _ in range(n)]
    assign_ids(facts, sid)
    ids = [f["id"] for f in facts]
    assert _session_ids(n, sid) == ids  # what a session gives its facts
    return ids


def test_ordinary_sessions() -> None:
    for sid in ("s0", "s1", "s17", "s999"):
        for n in (0, 1, 5, 2500):
            assert _ids(n, sid) == _reference_ids(n, sid)


def test_a_session_whose_hash_clashes_with_a_precomputed_id() -> None:
    _extend_ids(50)
    # sid "f7" hashes like the key f7 (and "sid-f7" like nothing in particular): the ids must
    # step around it exactly as the plain loop does.
    for sid in ("f7", "f0", _ID_KEYS[30]):
        ids = _ids(40, sid)
        assert ids == _reference_ids(40, sid)
        assert len({fnv1a32(i) for i in ids} | {fnv1a32(sid), fnv1a32(f"sid-{sid}")}) == 42


def _reference_text(fact: dict[str, Any]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{json.dumps(v, ensure_ascii=False) if isinstance(v, str) else str(v)}"
                          for k, v in fact.items()) + "}"


@settings(max_examples=300)
@given(st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=8), st.integers()), max_size=6))
def test_plain_facts_serialise_as_the_general_path_does(fact: dict[str, Any]) -> None:
    assert dumps_fact(fact) == _reference_text(fact)
    assert dumps_fact(fact) == _reference_text(fact)  # again, now that its keys are known
