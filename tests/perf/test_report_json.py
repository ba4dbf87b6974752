"""The JSON writer's encoder gives byte for byte what ``json.dumps(indent=2)`` gives."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.report.json import dumps_indented

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=300)
@given(values)
def test_same_text_as_the_standard_library(v: Any) -> None:
    assert dumps_indented(v) == json.dumps(v, ensure_ascii=False, indent=2)


def test_unusual_values_are_left_to_the_standard_library() -> None:
    class Text(str):
        pass
    for v in [{1: "a"}, {"a": Text("x")}, {None: 1}, {2.5: "f"}, [Text("y")]]:
        assert dumps_indented(v) == json.dumps(v, ensure_ascii=False, indent=2)
    loop: list[Any] = []
    loop.append(loop)
    try:
        dumps_indented(loop)
    except ValueError as e:
        assert "Circular" in str(e)
    else:
        raise AssertionError("a circular structure must fail as json.dumps fails")
