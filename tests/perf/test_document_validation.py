"""The fast document validation gives exactly what validating the whole document gives.

:func:`checker.validate.document_errors` runs jsonschema only on what the column-wise
pre-check (:mod:`checker.schemacheck`) finds suspect. The reference here validates the whole
document with jsonschema against the unmodified schema; on documents corrupted in every way
the schema can object to (wrong types, bad dates, patterns, enums, ranges, missing and
unknown keys, non-list tables, non-object records), both must report the same errors, at
the same paths, in the same order.
"""
from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from checker.dates import DateParseError, parse_date
from checker.model import TABLES
from checker.schema import submission_schema
from checker.schemacheck import suspects
from checker.validate import document_errors

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [ROOT / "samples/guigang/450881-2018Q4.json", ROOT / "samples/changning/310105-2025Q4.json"]


@lru_cache(maxsize=None)
def _sample(i: int) -> str:
    return SAMPLES[i].read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _reference_validator() -> Draft202012Validator:
    formats = FormatChecker(formats=())

    @formats.checks("date", raises=DateParseError)
    def _is_date(value: object) -> bool:
        if isinstance(value, str):
            parse_date(value)
        return True
    return Draft202012Validator(submission_schema(), format_checker=formats)


def _reference(doc: Any) -> list[tuple[Any, ...]]:
    errors = sorted(_reference_validator().iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    return [_shape(e) for e in errors]


def _shape(e: Any) -> tuple[Any, ...]:
    return (list(e.absolute_path), e.validator, e.message, repr(e.instance),
            [(list(c.absolute_path), c.validator, c.message) for c in e.context])


BAD_VALUES = [None, True, False, 0, 1, -1, 1.0, 2.5, -0.5, 1e300, 3000, 1948, "", " ", "x y", "2017-02-30",
              "12/31/17", "2017年12月", "2017-12-31", "2017/12/31", "river_chief_meeting", "village", "450881",
              "全角１２", [], ["a"], [1], [None], {}, {"a": 1}, "a" * 70]


@st.composite
def corrupted(draw: st.DrawFn) -> dict[str, Any]:
    doc = json.loads(_sample(draw(st.integers(0, len(SAMPLES) - 1))))
    for _ in range(draw(st.integers(1, 6))):
        what = draw(st.sampled_from(["cell", "cell", "cell", "drop", "extra", "header", "table", "record"]))
        tables = [t for t in TABLES if isinstance(doc.get(t), list) and doc[t]]
        if what in ("cell", "drop", "extra", "record") and tables:
            t = draw(st.sampled_from(tables))
            i = draw(st.integers(0, len(doc[t]) - 1))
            rec = doc[t][i]
            if what == "record":
                doc[t][i] = draw(st.sampled_from(BAD_VALUES))
            elif not isinstance(rec, dict):
                continue
            elif what == "cell" and rec:
                rec[draw(st.sampled_from(sorted(rec)))] = draw(st.sampled_from(BAD_VALUES))
            elif what == "drop" and rec:
                del rec[draw(st.sampled_from(sorted(rec)))]
            elif what == "extra":
                rec[draw(st.sampled_from(["bogus", "备注", "name", "date"]))] = draw(st.sampled_from(BAD_VALUES))
        elif what == "header":
            key = draw(st.sampled_from(["schema_version", "submission_id", "pack", "jurisdiction", "period",
                                        "as_of", "unknown_field"]))
            if draw(st.booleans()):
                doc.pop(key, None)
            else:
                doc[key] = draw(st.sampled_from(BAD_VALUES))
        elif what == "table":
            doc[draw(st.sampled_from(list(TABLES)))] = draw(st.sampled_from(BAD_VALUES))
    return doc


@settings(max_examples=150)
@given(corrupted())
def test_same_errors_as_whole_document_validation(doc: dict[str, Any]) -> None:
    assert [_shape(e) for e in document_errors(copy.deepcopy(doc))] == _reference(doc)


def test_valid_samples_have_no_suspects() -> None:
    """The pre-check must accept valid documents outright, or nothing is gained."""
    for i in range(len(SAMPLES)):
        doc = json.loads(_sample(i))
        assert suspects(doc, submission_schema()) == (True, {})
        assert document_errors(doc) == [] == _reference(doc)


def test_a_bad_cell_makes_only_its_record_suspect() -> None:
    doc = json.loads(_sample(0))
    doc["patrols"][3]["date"] = "2017-02-30"
    doc["chiefs"][1]["level"] = 5
    top_ok, rows = suspects(doc, submission_schema())
    assert top_ok and rows == {"patrols": [3], "chiefs": [1]}
    assert [_shape(e) for e in document_errors(doc)] == _reference(doc) != []


def test_an_unknown_or_missing_key_makes_only_its_record_suspect() -> None:
    """Keys are judged by counting when every record's keys are allowed ones (reaches: only a
    required key is missing), record by record when a table has an unknown key (patrols,
    chiefs); either way exactly the records at fault are suspect."""
    doc = json.loads(_sample(0))
    doc["patrols"][5]["bogus"] = 1
    del doc["patrols"][7]["date"]
    doc["chiefs"][2]["note"] = "x"
    del doc["chiefs"][2]["name"]
    del doc["reaches"][4]["water_body"]
    top_ok, rows = suspects(doc, submission_schema())
    assert top_ok and rows == {"patrols": [5, 7], "chiefs": [2], "reaches": [4]}
    assert [_shape(e) for e in document_errors(doc)] == _reference(doc) != []
