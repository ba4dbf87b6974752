"""The published schemas and data dictionary: generated from the models, committed, valid,
bilingual. Regenerate with ``make schemas`` (``ducha schema --write schemas``) or
``.venv/bin/python -m checker.schema``."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from jsonschema import Draft202012Validator

from checker.load.tabular import column_map, norm
from checker.model import HEADER_SHEET, SCHEMA_VERSION, TABLES
import checker.schema
from checker.schema import (DATA_DICTIONARY, column_specs, data_dictionary, generate_submission_schema, specs_of,
                            split_description, submission_schema, write_schemas)

REPO = Path(__file__).resolve().parents[1]
REGENERATE = ("regenerate with `make schemas`, `ducha schema --write schemas` or "
              "`.venv/bin/python -m checker.schema` and commit the result")
REGENERATE_DOCS = "regenerate with `make schemas` or `.venv/bin/python -m checker.schema` and commit the result"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{2,}")


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == ["rule.schema.json", "submission.schema.json"]
    for fresh in written:
        committed = REPO / "schemas" / fresh.name
        assert committed.exists(), f"schemas/{fresh.name} is missing: {REGENERATE}"
        assert committed.read_bytes() == fresh.read_bytes(), f"schemas/{fresh.name} is out of date: {REGENERATE}"


def test_checks_use_the_schema_the_models_generate() -> None:
    """Checks read the committed file (a cold start need not build the models); it is the
    generated schema exactly, and so is every column spec read off it."""
    assert submission_schema() == generate_submission_schema()
    fresh = generate_submission_schema()
    for table in ["header", *TABLES]:
        assert column_specs(table) == specs_of(fresh, table), table


def test_without_the_committed_file_the_schema_is_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for path in (tmp_path / "missing.json", broken):
        monkeypatch.setattr(checker.schema, "SUBMISSION_SCHEMA_FILE", path)
        checker.schema.submission_schema.cache_clear()
        try:
            assert submission_schema() == generate_submission_schema()
        finally:
            checker.schema.submission_schema.cache_clear()


def test_committed_data_dictionary_matches_the_models() -> None:
    committed = REPO / DATA_DICTIONARY
    assert committed.exists(), f"{DATA_DICTIONARY} is missing: {REGENERATE_DOCS}"
    assert committed.read_text(encoding="utf-8") == data_dictionary(), (
        f"{DATA_DICTIONARY} is out of date: {REGENERATE_DOCS}")


@pytest.mark.parametrize("name", ["submission.schema.json", "rule.schema.json"])
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    # ... and validated by the metaschema it names, as any other document would be.
    Draft202012Validator(Draft202012Validator.META_SCHEMA).validate(schema)


def test_the_schema_carries_its_version() -> None:
    schema = submission_schema()
    assert schema["x-schema-version"] == SCHEMA_VERSION
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert SCHEMA_VERSION in schema["$id"]
    assert "schema_version" in schema["required"]


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, property) for every property of every object in the schema."""
    objects = [("", schema)] + [(f"$defs/{k}", v) for k, v in schema.get("$defs", {}).items()]
    for where, obj in objects:
        for name, prop in obj.get("properties", {}).items():
            yield f"{where}/{name}", prop


def test_every_field_has_a_chinese_and_an_english_description_and_label() -> None:
    missing = []
    props = list(_properties(submission_schema()))
    assert len(props) > 100
    for where, prop in props:
        zh, en = split_description(prop.get("description", ""))
        label = prop.get("x-label-zh", "")
        if not (CJK.search(zh) and LATIN.search(en) and not CJK.search(en) and CJK.search(label)):
            missing.append(f"{where}: description={prop.get('description')!r} label={label!r}")
    assert not missing, "fields without a bilingual description or a Chinese label:\n" + "\n".join(missing)


def test_the_schema_accepts_the_fixture_bases_and_rejects_a_broken_one() -> None:
    validator = Draft202012Validator(submission_schema())
    for base in sorted((REPO / "tests" / "rules").glob("*/base-*.yaml")):
        doc = json.loads(json.dumps(yaml.safe_load(base.read_text(encoding="utf-8")), default=str))
        assert not list(validator.iter_errors(doc)), base
        doc["jurisdictions"][0]["level"] = "district"
        doc["surprise"] = 1
        assert {e.validator for e in validator.iter_errors(doc)} == {"enum", "additionalProperties"}


@pytest.mark.parametrize("table", ["header", *TABLES])
def test_column_names_are_unambiguous(table: str) -> None:
    """A header cell names one field whichever language it is written in."""
    specs = column_specs(table)
    keys = [norm(s.name) for s in specs] + [norm(s.label_zh) for s in specs]
    assert len(set(keys)) == 2 * len(specs), f"{table}: a label repeats or equals another field's name"
    assert set(column_map(table).values()) == {s.name for s in specs}


def test_table_names_are_unambiguous() -> None:
    names = [norm(n) for n in TABLES] + [norm(zh) for _, zh in TABLES.values()] + [norm(HEADER_SHEET), "header"]
    assert len(set(names)) == len(names)


def test_column_specs_read_the_schema_right() -> None:
    chiefs = {s.name: s for s in column_specs("chiefs")}
    assert chiefs["appointed"].type == "date" and chiefs["appointed"].required
    assert chiefs["left"].type == "date" and chiefs["left"].nullable and not chiefs["left"].required
    assert chiefs["level"].enum == ("province", "city", "county", "township", "village")
    assert chiefs["reach"].ref == "reaches" and chiefs["reach"].nullable
    budgets = {s.name: s for s in column_specs("budgets")}
    assert budgets["year"].type == "integer" and (budgets["year"].minimum, budgets["year"].maximum) == (1949, 2100)
    assert {s.name: s.type for s in column_specs("tasks")}["lead_units"] == "list"
    assert {s.name: s.type for s in column_specs("water_bodies")}["main_river"] == "boolean"
    header = {s.name: s for s in column_specs("header")}
    assert list(header) == ["schema_version", "submission_id", "pack", "jurisdiction", "period", "as_of"]
    assert header["schema_version"].enum == (SCHEMA_VERSION,)


def test_data_dictionary_lists_every_column() -> None:
    text = data_dictionary()
    for table, (_, zh) in TABLES.items():
        assert f"## {zh} `{table}`" in text
        for s in column_specs(table):
            assert f"| {s.label_zh} | `{s.name}` |" in text
