"""Hypothesis strategies: the shipped sample submissions and mutations of them.

A :class:`Case` is one generated input file plus what the pipeline must do with it:

* ``breaks`` — JSON pointers of the record (or header field, or table) the mutation made
  invalid by the schema's own column specs (:func:`checker.schema.column_specs`): a required
  field deleted or nulled, a wrong type, an impossible date, a value outside its enum or
  range or pattern, a duplicated id, a reference to nothing, a table that is not a list.
  Such an input must be refused (``invalid``) with a problem located at one of them.
* ``same_as`` — a mutation that must not change the verdict (key order): the findings must
  equal those of the unmutated sample.
* otherwise anything may happen except a crash; if the input is checked, the loaded-intact
  invariants of :mod:`tests.properties.invariants` must hold.

The expected locations come from the schema, not from running the checker: the test is an
oracle built independently of the code under test.
"""
from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from hypothesis import strategies as st

from checker.model import TABLES
from checker.schema import ColumnSpec, column_specs

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples" / "guigang").glob("*.json")) + sorted((ROOT / "samples" / "changning").glob("*.json"))

# Text that has broken parsers, terminals, spreadsheets and pages elsewhere.
NASTY = ["\x00", "\x1b[31m", "\u202e", "\ufeff", "\u0301", "\U0001F4A9", "\ud800", "\r\n", "\t", "\\", '"', "'",
         "=1+1", "@SUM(A1)", "<script>", "{subject}", "{0}", "%s", "../", "\u3000", "ｆｕｌｌ", "𠀀"]
BAD_DATES = ["2018-02-30", "2018-13-01", "2019-02-29", "0000-00-00", "2018-1-1x", "99999-01-01", "yesterday",
             "2018-06-31"]
HUGE = [1e308, -1e308, 10**30, -(10**30), 2**63, -(2**63) - 1, 2**53 + 1, 1e-300, 0, -0.0]
WRONG = {  # a JSON value of the wrong type for each column type
    "string": [123, 4.5, True, [], {"x": 1}],
    "number": ["abc", "12", True, [1], {"x": 1}],
    "integer": ["abc", 1.5, True, [1], {"x": 1}],
    "boolean": ["yes", 2, [True], {"x": 1}],
    "date": [20180101, 2018.0, True, ["2018-01-01"], {"x": 1}],
    "list": [5, True, {"x": 1}],
}


@dataclass(frozen=True)
class Case:
    kind: str
    sample: str  # the sample it was made from
    data: bytes = field(repr=False)  # the file's bytes
    breaks: tuple[str, ...] = ()
    same_as: bool = False
    doc: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@lru_cache(maxsize=None)
def _sample_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def sample_doc(path: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_sample_text(path))
    return doc


@lru_cache(maxsize=None)
def specs(table: str) -> dict[str, ColumnSpec]:
    return {s.name: s for s in column_specs(table)}


def encode(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8", "surrogatepass")


def _tables(doc: dict[str, Any]) -> list[str]:
    return [t for t in TABLES if isinstance(doc.get(t), list) and doc[t]]


def _ptr(table: str, row: int | None = None) -> str:
    return f"/{table}" if row is None else f"/{table}/{row}"


# --------------------------------------------------------------------------- row mutations
# Each takes (draw, doc, table, row index) and mutates doc in place; it returns the pointers
# that must be reported (empty: no expectation), or None when it does not apply to that row.

Mut = Callable[[Any, dict[str, Any], str, int], "tuple[str, ...] | None"]


def _pick(draw: Any, names: list[str]) -> str | None:
    return draw(st.sampled_from(sorted(names))) if names else None


def delete_required(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if s.required and n in row])
    if name is None:
        return None
    del row[name]
    return (_ptr(t, i),)


def null_required(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if s.required and not s.nullable and n in row])
    if name is None:
        return None
    row[name] = None
    return (_ptr(t, i),)


def wrong_type(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if n in row and s.type in WRONG])
    if name is None:
        return None
    row[name] = draw(st.sampled_from(WRONG[specs(t)[name].type]))
    return (_ptr(t, i),)


def bad_date(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    name = _pick(draw, [n for n, s in specs(t).items() if s.type == "date"])
    if name is None:
        return None
    doc[t][i][name] = draw(st.sampled_from(BAD_DATES))
    return (_ptr(t, i),)


def bad_enum(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    name = _pick(draw, [n for n, s in specs(t).items() if s.enum and s.type == "string"])
    if name is None:
        return None
    doc[t][i][name] = draw(st.sampled_from(["bogus", "", "PASSED", "已完成x"]))
    return (_ptr(t, i),)


def below_minimum(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    name = _pick(draw, [n for n, s in specs(t).items() if s.minimum is not None and s.type in ("number", "integer")])
    if name is None:
        return None
    lo = specs(t)[name].minimum
    assert lo is not None
    doc[t][i][name] = draw(st.sampled_from([lo - 1, -(10**30), -1e308]))
    return (_ptr(t, i),)


def duplicate_id(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    key = "id" if "id" in specs(t) else "code" if "code" in specs(t) else None
    rows = doc[t]
    if key is None or len(rows) < 2 or key not in rows[i]:
        return None
    j = draw(st.sampled_from([k for k in range(len(rows)) if k != i and key in rows[k]] or [i]))
    if j == i:
        return None
    rows[i][key] = rows[j][key]
    return (_ptr(t, i), _ptr(t, j))


def dangling_ref(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    name = _pick(draw, [n for n, s in specs(t).items() if s.ref and s.type == "string"])
    if name is None:
        return None
    doc[t][i][name] = "ZZ-NO-SUCH-RECORD-9"
    return (_ptr(t, i),)


def bad_pattern(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if s.pattern and s.type == "string" and isinstance(row.get(n), str)])
    if name is None:
        return None
    row[name] = row[name] + draw(st.sampled_from([" ", "\x00", "<x>", "\u202e", "/..", "é"]))
    return (_ptr(t, i),)


def inject_text(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    """Nasty characters in free text (no pattern, enum or reference): may be fine."""
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if s.type == "string" and not s.pattern and not s.enum
                        and not s.ref and isinstance(row.get(n), str)])
    if name is None:
        return None
    bits = draw(st.lists(st.sampled_from(NASTY), min_size=1, max_size=4))
    at = draw(st.integers(0, len(row[name])))
    row[name] = row[name][:at] + "".join(bits) + row[name][at:]
    return ()


def huge_number(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    name = _pick(draw, [n for n, s in specs(t).items() if s.type in ("number", "integer")])
    if name is None:
        return None
    s = specs(t)[name]
    v = draw(st.sampled_from(HUGE))
    if s.type == "integer" and isinstance(v, float) and not v.is_integer():
        v = 10**30
    doc[t][i][name] = v
    low = s.minimum is not None and v < s.minimum
    high = s.maximum is not None and v > s.maximum
    return (_ptr(t, i),) if low or high else ()


def unknown_field(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    doc[t][i][draw(st.sampled_from(["zz_extra", "__proto__", "备注x"]))] = "x"
    return ()


def delete_optional(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    row = doc[t][i]
    name = _pick(draw, [n for n, s in specs(t).items() if not s.required and n in row])
    if name is None:
        return None
    del row[name]
    return ()


def drop_row(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    del doc[t][i]
    return ()


def row_to_scalar(draw: Any, doc: dict[str, Any], t: str, i: int) -> tuple[str, ...] | None:
    doc[t][i] = draw(st.sampled_from([5, "x", None, [], True]))
    return (_ptr(t, i),)


ROW_MUTATIONS: dict[str, Mut] = {f.__name__: f for f in (
    delete_required, null_required, wrong_type, bad_date, bad_enum, below_minimum, duplicate_id, dangling_ref,
    bad_pattern, inject_text, huge_number, unknown_field, delete_optional, drop_row, row_to_scalar)}


# --------------------------------------------------------------------------- whole-document mutations

def _shuffled(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rnd) for v in value]
    return value


@st.composite
def cases(draw: Any, kinds: tuple[str, ...] | None = None) -> Case:
    """One mutated sample (or, kind ``sample``, an unmutated one)."""
    sample = str(draw(st.sampled_from(SAMPLES)))
    doc = sample_doc(sample)
    all_kinds = ("sample", "reorder_keys", "truncate", "bytes", "table_scalar", "empty_table", "header",
                 *ROW_MUTATIONS)
    kind = draw(st.sampled_from(kinds or all_kinds))
    if kind == "sample":
        return Case(kind, sample, encode(doc), same_as=True, doc=doc)
    if kind == "reorder_keys":
        seed = draw(st.integers(0, 2**32 - 1))
        new = _shuffled(doc, random.Random(seed))
        return Case(kind, sample, encode(new), same_as=True, doc=new)
    if kind == "truncate":
        whole = encode(doc)
        return Case(kind, sample, whole[:draw(st.integers(0, len(whole) - 1))])
    if kind == "bytes":
        full: bytearray = bytearray(encode(doc))
        how = draw(st.sampled_from(["flip", "bom", "utf16", "nul", "insert"]))
        if how == "flip":
            at = draw(st.integers(0, len(full) - 1))
            full[at] ^= draw(st.integers(1, 255))
        elif how == "bom":
            full = bytearray(b"\xef\xbb\xbf" + bytes(full))
        elif how == "utf16":
            full = bytearray(bytes(full).decode("utf-8").encode("utf-16"))
        elif how == "nul":
            full = bytearray(bytes(full).replace(b",", b",\x00", 1))
        else:
            at = draw(st.integers(0, len(full)))
            full[at:at] = draw(st.binary(min_size=1, max_size=8))
        return Case(f"bytes_{how}", sample, bytes(full))
    if kind == "table_scalar":
        t = draw(st.sampled_from(_tables(doc)))
        doc[t] = draw(st.sampled_from([5, "x", {"id": "A"}, True]))
        return Case(kind, sample, encode(doc), breaks=(_ptr(t),), doc=doc)
    if kind == "empty_table":
        t = draw(st.sampled_from(_tables(doc)))
        doc[t] = []
        return Case(kind, sample, encode(doc), doc=doc)
    if kind == "header":
        name = draw(st.sampled_from(["as_of", "jurisdiction", "submission_id", "period", "pack", "schema_version"]))
        how = draw(st.sampled_from(["delete", "null", "bad"]))
        if how == "delete":
            del doc[name]
        elif how == "null":
            doc[name] = None
        else:
            doc[name] = {"as_of": "2018-02-30", "jurisdiction": "999999999999", "submission_id": "",
                         "period": "2018Q5", "pack": "no-such-pack", "schema_version": "9.9"}[name]
        # An unknown pack is a usable submission for rules nobody has: failed (rules), not invalid.
        wanted: tuple[str, ...] = () if (name == "pack" and how == "bad") else (f"/{name}", "")
        return Case(f"header_{how}", sample, encode(doc), breaks=wanted, doc=doc)
    mut = ROW_MUTATIONS[kind]
    tables = _tables(doc)
    for _ in range(4):  # a mutation that does not apply to the drawn row: draw another
        t = draw(st.sampled_from(tables))
        i = draw(st.integers(0, len(doc[t]) - 1))
        work = copy.deepcopy(doc)
        breaks = mut(draw, work, t, i)
        if breaks is not None:
            return Case(kind, sample, encode(work), breaks=breaks, doc=work)
    return Case("sample", sample, encode(doc), same_as=True, doc=doc)
