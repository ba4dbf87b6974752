"""The data contract models (checker.model): tables, keys, constraints."""
from __future__ import annotations

import datetime as dt
import re
import typing

import pytest
from pydantic import ValidationError

from checker.model import (ID_PATTERN, LEVEL_ORDER, SCHEMA_VERSION, TABLES, Chief, Header, Jurisdiction, Row,
                           Submission, table_key)

from .load.helpers import mini


def test_every_table_is_a_submission_field_in_dictionary_order() -> None:
    fields = list(Submission.model_fields)
    header = list(Header.model_fields)
    assert fields == header + list(TABLES)
    for name, (model, _) in TABLES.items():
        ann = Submission.model_fields[name].annotation
        assert typing.get_args(ann) == (model,), name


def test_every_row_model_has_a_key_field() -> None:
    for name, (model, _) in TABLES.items():
        key = table_key(name)
        assert key in model.model_fields, name
        assert model.model_fields[key].is_required()
    assert table_key("jurisdictions") == "code" and table_key("chiefs") == "id"


def test_every_field_has_a_chinese_label_and_a_bilingual_description() -> None:
    for model in [Header, *(m for m, _ in TABLES.values())]:
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra
            assert isinstance(extra, dict) and extra.get("x-label-zh"), f"{model.__name__}.{name}"
            assert f.description and " / " in f.description, f"{model.__name__}.{name}"


def test_schema_version_is_the_only_accepted_version() -> None:
    doc = mini()
    assert Submission.model_validate(doc).schema_version == SCHEMA_VERSION
    doc["schema_version"] = "2.0"
    with pytest.raises(ValidationError):
        Submission.model_validate(doc)


def test_rows_are_frozen_and_refuse_unknown_fields() -> None:
    j = Jurisdiction(code="450802", name="港北区", level="county")
    assert j.level == "county"  # enums are stored as their values
    with pytest.raises(ValidationError):
        j.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Jurisdiction(code="450802", name="港北区", level="county", colour="red")  # type: ignore[call-arg]
    assert all(issubclass(m, Row) for m, _ in TABLES.values())


@pytest.mark.parametrize("value,ok", [("C-1", True), ("450802", True), ("GG:2018.Q4_a", True), ("a" * 64, True),
                                      ("a" * 65, False), ("-C", False), ("C 1", False), ("河长", False), ("", False)])
def test_id_pattern(value: str, ok: bool) -> None:
    assert bool(re.fullmatch(ID_PATTERN.strip("^$"), value)) is ok


def test_chief_dates_are_dates() -> None:
    c = Chief.model_validate({"id": "C-1", "name": "张三", "level": "county", "post": "leader",
                              "jurisdiction": "450802", "water_body": "W", "appointed": "2017-06-01"})
    assert c.appointed == dt.date(2017, 6, 1) and c.left is None and c.reach is None


def test_level_order_runs_from_province_to_village() -> None:
    assert sorted(LEVEL_ORDER, key=LEVEL_ORDER.__getitem__) == ["province", "city", "county", "township", "village"]
