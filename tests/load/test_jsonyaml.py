"""JSON and YAML loading: strict parsing, located problems, the same result either way."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from checker.dataset import dataset_from_document
from checker.errors import InputError
from checker.load import load_path

from .helpers import load, mini, problems


def _json(tmp_path: Path, doc: object, name: str = "s.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p


def test_json_and_yaml_give_the_same_dataset(tmp_path: Path) -> None:
    a = load(_json(tmp_path, mini()))
    y = tmp_path / "s.yaml"
    y.write_text(yaml.safe_dump(mini(), allow_unicode=True), encoding="utf-8")
    assert a.to_submission() == load(y).to_submission()


def test_yaml_dates_and_timestamps_become_dates(tmp_path: Path) -> None:
    text = yaml.safe_dump(mini(), allow_unicode=True).replace("as_of: '2018-12-31'", "as_of: 2018-12-31 08:30:00")
    assert "as_of: 2018-12-31 08:30:00" in text
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    assert load(p).as_of.isoformat() == "2018-12-31"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_json_in_other_encodings_is_read(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "s.json"
    p.write_bytes(json.dumps(mini(), ensure_ascii=False).encode(encoding))
    assert load(p).tables["chiefs"]["name"].tolist() == ["张三", "李四"]


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text('{\n  "a": 1,\n  "b": }\n', encoding="utf-8")
    assert problems(p) == [("E-JSON", "s.json 行/row 3 列/column 8")]
    with pytest.raises(Exception) as e:
        load_path(p)
    assert "line 3, column 8" in e.value.problems[0].message_en  # type: ignore[attr-defined]


def test_nan_and_infinity_are_not_json(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(mini(), ensure_ascii=False).replace('"length_km": 12.5', '"length_km": NaN'),
                 encoding="utf-8")
    assert problems(p) == [("E-JSON", "s.json")]


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    assert problems(_json(tmp_path, [mini()])) == [("E-STRUCTURE", "s.json")]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep: object = "x"
    for _ in range(30):
        deep = {"a": deep}
    assert problems(_json(tmp_path, deep)) == [("E-DEPTH", "s.json#" + "/a" * 20)]  # the first value too deep
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert [c for c, _ in problems(p)] == ["E-DEPTH"]


def test_repeated_keys_are_reported_where_they_are(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text('{"as_of": "2018-12-31", "chiefs": [{"id": "C-1", "id": "C-2"}], "as_of": "2018-12-30"}',
                 encoding="utf-8")
    assert problems(p) == [("E-DUPLICATE-KEY", "s.json#/as_of"), ("E-DUPLICATE-KEY", "s.json#/chiefs/0/id")]
    y = tmp_path / "s.yaml"
    y.write_text("as_of: 2018-12-31\nchiefs:\n  - id: C-1\n    id: C-2\n", encoding="utf-8")
    assert problems(y) == [("E-DUPLICATE-KEY", "s.yaml#/chiefs/0/id")]
    with pytest.raises(Exception) as e:
        load_path(y)
    assert e.value.problems[0].message_en == "key 'id' appears more than once (line 4)"  # type: ignore[attr-defined]


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    assert problems(p) == [("E-YAML-ALIAS", "s.yaml 行/row 1 列/column 4")]


def test_yaml_nan_is_refused_with_its_pointer(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("reaches:\n  - {id: R-1, length_km: .nan}\n", encoding="utf-8")
    assert problems(p) == [("E-YAML", "s.yaml#/reaches/0/length_km")]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("a: [1, 2\nb: 3\n", encoding="utf-8")
    assert [c for c, _ in problems(p)] == ["E-YAML"]


def test_empty_and_oversized_files(tmp_path: Path) -> None:
    empty = tmp_path / "e.json"
    empty.write_bytes(b"")
    assert problems(empty) == [("E-EMPTY", "e.json")]
    big = _json(tmp_path, mini(), "big.json")
    assert problems(big, max_bytes=100) == [("E-TOO-LARGE", "big.json")]


def test_unknown_fields_are_reported_one_by_one(tmp_path: Path) -> None:
    doc = mini()
    doc["contact"] = "王五"
    doc["chiefs"][0]["phone"] = "1"
    doc["chiefs"][0]["email"] = "x"
    assert problems(_json(tmp_path, doc)) == [
        ("E-UNKNOWN-FIELD", "s.json#/chiefs/0/email"), ("E-UNKNOWN-FIELD", "s.json#/chiefs/0/phone"),
        ("E-UNKNOWN-FIELD", "s.json#/contact")]


def test_schema_and_integrity_problems_come_together(tmp_path: Path) -> None:
    doc = mini()
    doc["chiefs"][0]["level"] = "district"
    doc["patrols"][1]["chief"] = "C-9"
    doc["patrols"][2]["id"] = "P-1"
    assert problems(_json(tmp_path, doc)) == [
        ("E-ENUM", "s.json#/chiefs/0/level"), ("E-DANGLING-REF", "s.json#/patrols/1/chief"),
        ("E-DUPLICATE-ID", "s.json#/patrols/2/id")]


def test_a_table_that_is_not_a_list_stops_at_the_schema(tmp_path: Path) -> None:
    doc = mini()
    doc["chiefs"] = {"id": "C-1"}
    doc["patrols"][0]["chief"] = "C-9"
    assert [c for c, _ in problems(_json(tmp_path, doc))] == ["E-TYPE"]


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.json") == [("E-NOT-FOUND", "nope.json")]
    odd = tmp_path / "s.xls"
    odd.write_bytes(b"x")
    assert problems(odd) == [("E-FORMAT", "s.xls")]


def test_lone_surrogates_are_located_problems_with_the_others(tmp_path: Path) -> None:
    """A "\\ud800" escape is valid JSON syntax but no character: once a crash in pandas (exit 3)."""
    doc = mini()
    doc["chiefs"][0]["name"] = "张\ud800"
    doc["chiefs"][1]["n\udfffote"] = "x"  # in a key too
    doc["patrols"][0]["duration_min"] = -5  # an ordinary problem, reported in the same run
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc), encoding="ascii")  # ASCII escapes: the only way to write one
    assert problems(p) == [("E-ENCODING", "s.json#/chiefs/0/name"),
                           ("E-ENCODING", "s.json#/chiefs/1/n\\udfffote"),
                           ("E-UNKNOWN-FIELD", "s.json#/chiefs/1/n\\udfffote"),
                           ("E-RANGE", "s.json#/patrols/0/duration_min")]
    with pytest.raises(InputError) as e:
        dataset_from_document(doc)
    assert [(q.code, q.location.pointer) for q in e.value.problems][:2] == [
        ("E-ENCODING", "/chiefs/0/name"), ("E-ENCODING", "/chiefs/1/n\\udfffote")]
    for q in e.value.problems:  # every problem prints as UTF-8
        (q.message_zh + q.message_en + str(q.location) + (q.value or "")).encode("utf-8")


def test_a_valid_surrogate_pair_is_one_character(tmp_path: Path) -> None:
    doc = mini()
    doc["chiefs"][0]["name"] = "张\U0001F600"
    p = tmp_path / "s.json"
    p.write_text(json.dumps(doc), encoding="ascii")
    assert "\\ud83d\\ude00" in p.read_text(encoding="ascii")
    assert load(p).tables["chiefs"]["name"].tolist()[0] == "张\U0001F600"


def test_yaml_surrogate_escape_is_a_syntax_problem(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    text = yaml.safe_dump(mini(), allow_unicode=True)
    assert "name: 张三" in text
    p.write_text(text.replace("name: 张三", 'name: "张\\ud800"'), encoding="utf-8")
    assert [code for code, _ in problems(p)] == ["E-YAML"]


def test_an_escaped_backslash_before_ud800_is_plain_text(tmp_path: Path) -> None:
    doc = mini()
    doc["chiefs"][0]["name"] = "张\\ud800"  # a backslash, then the letters "ud800"
    p = _json(tmp_path, doc)
    assert "\\\\ud800" in p.read_text(encoding="utf-8")
    assert load(p).tables["chiefs"]["name"].tolist()[0] == "张\\ud800"
