"""Details of the hostile-input guards the corpus (tests/corpus) does not pin down one by one:
YAML's small type set, the xlsx zip guard's other limits, formulas in the header sheet,
hidden rows that hold nothing, and the date forms of checker/dates.py."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from checker.dates import DateParseError, parse_date
from checker.load import load_path
from checker.load import xlsx as xlsx_module
from tests.corpus.generate import Formula, workbook, xlsx

from .helpers import load, mini, problems


def _yaml(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _doc(tmp_path: Path, text: str) -> dict[str, object]:
    doc = load_path(_yaml(tmp_path, text)).doc
    assert doc is not None
    return doc


def test_yaml_scalars_are_the_small_json_like_set(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "a: 12\nb: -0.5\nc: 1e3\nd: ０１２\ne: 012\nf: 0x1F\ng: 1:30\nh: 1_000\ni: 2017-02-30\n"
                         "j: true\nk: ~\nl: １２．５\nm: '45'\nn: －３\n")
    assert doc == {"a": 12, "b": -0.5, "c": 1000.0, "d": "０１２", "e": "012", "f": "0x1F", "g": "1:30", "h": "1_000",
                   "i": "2017-02-30", "j": True, "k": None, "l": 12.5, "m": "45", "n": -3}
    assert isinstance(doc["a"], int) and isinstance(doc["l"], float) and isinstance(doc["n"], int)


@pytest.mark.parametrize("text, code", [
    ("a: !!int 0x1F\n", "E-YAML"),  # an explicit tag still means a decimal
    ("a: !!float abc\n", "E-YAML"),
    ("a: !!binary aGVsbG8=\n", "E-YAML-TAG"),
    ("a: !!set {x, y}\n", "E-YAML-TAG"),
    ("a: !!python/name:os.system\n", "E-YAML-TAG"),
    ("? [a, b]\n: 1\n", "E-YAML"),  # a key that is not plain text
    ("a: !!bool maybe\n", "E-YAML"),
    ("a: !!map 5\n", "E-YAML"),  # a tag that does not fit its content
    ("a: !!seq {b: 1}\n", "E-YAML"),
])
def test_explicit_tags_and_odd_keys_are_located_refusals(tmp_path: Path, text: str, code: str) -> None:
    [(got, where)] = problems(_yaml(tmp_path, text))
    assert got == code and where.startswith("s.yaml 行/row 1 列/column ")


def test_explicit_core_tags_are_allowed(tmp_path: Path) -> None:
    assert _doc(tmp_path, "a: !!str 123\nb: !!int '7'\nc: !!null\n") == {"a": "123", "b": 7, "c": None}
    assert [c for c, _ in problems(_yaml(tmp_path, "c: ! 5\n"))] == ["E-YAML-TAG"]  # libyaml would guess


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 30)]  # 10^30
    start = time.perf_counter()
    assert problems(_yaml(tmp_path, "\n".join(lines))) == [("E-YAML-ALIAS", "s.yaml 行/row 1 列/column 5")]
    assert time.perf_counter() - start < 1.0


def test_deep_yaml_is_refused_while_scanning(tmp_path: Path) -> None:
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"  # the C composer would recurse 100,000 deep
    assert problems(_yaml(tmp_path, text)) == [("E-DEPTH", "s.yaml 行/row 1 列/column 23")]  # the 21st level


def test_yaml_and_json_read_full_width_numbers_the_same_as_a_csv_cell(tmp_path: Path) -> None:
    text = yaml.safe_dump(mini(), allow_unicode=True).replace("length_km: 12.5", "length_km: １２．５")
    assert load(_yaml(tmp_path, text)).tables["reaches"]["length_km"].tolist() == [12.5]


def _book(tmp_path: Path, **kw: object) -> Path:
    path = tmp_path / "s.xlsx"
    xlsx(path, kw.pop("book", None) or workbook(), **kw)  # type: ignore[arg-type]
    return path


def test_a_formula_in_the_header_sheet_is_located_by_column_letter(tmp_path: Path) -> None:
    book = workbook()
    book["报送信息"][6][1] = Formula("TODAY()")
    assert problems(_book(tmp_path, book=book)) == [("E-FORMULA", "s.xlsx[报送信息] 行/row 7 列/column B")]


def test_a_saved_formula_value_is_used_and_the_formula_never_evaluated(tmp_path: Path) -> None:
    book = workbook()
    book["巡河记录"][1][4] = Formula("1/0", 44)
    assert load(_book(tmp_path, book=book)).tables["patrols"]["duration_min"].tolist()[0] == 44


def test_hidden_rows_without_data_are_not_warned_about(tmp_path: Path) -> None:
    book = workbook()
    book["巡河记录"] += [[None] * 5, [None] * 5]
    raw = load_path(_book(tmp_path, book=book, hidden_rows={"巡河记录": [6, 7]}, hidden_cols={"河长": [20]}))
    assert raw.warnings == []


def test_hidden_rows_are_named_in_runs(tmp_path: Path) -> None:
    raw = load_path(_book(tmp_path, hidden_rows={"巡河记录": [2, 4, 5]}))
    assert [(w.code, w.value) for w in raw.warnings] == [("W-HIDDEN-ROWS", "2, 4-5")]
    assert len(load(tmp_path / "s.xlsx").tables["patrols"]) == 4  # and read


@pytest.mark.parametrize("limit, value", [("MAX_MEMBERS", 5), ("MAX_UNZIPPED_BYTES", 1000)])
def test_the_xlsx_zip_guard_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int) -> None:
    path = _book(tmp_path)
    monkeypatch.setattr(xlsx_module, limit, value)
    [p] = pytest.raises(Exception, load_path, path).value.problems  # type: ignore[attr-defined]
    assert p.code == "E-ZIP-BOMB" and f"{value:,}" in p.message_en


def test_json_syntax_errors_are_located_by_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(mini(), indent=1)[:-30], encoding="utf-8")
    [(code, where)] = problems(p)
    assert code == "E-JSON" and where.startswith("s.json 行/row ")


@pytest.mark.parametrize("text, iso", [("2017-12-31 08:30:00", "2017-12-31"), ("2017-12-31T08:30", "2017-12-31"),
                                       ("2017-12-31T23:59:59.5+08:00", "2017-12-31"), ("２０１７年１２月３１日", "2017-12-31")])
def test_dates_with_a_time_keep_their_day(text: str, iso: str) -> None:
    assert parse_date(text).isoformat() == iso


@pytest.mark.parametrize("text, why", [("2017-02-30", "no such calendar date"), ("2017年13月", "no such calendar date"),
                                       ("2017年0月", "no such calendar date"), ("2017年12月", "ambiguous"),
                                       ("12/31/17", "unrecognised"), ("2017-12-31Tnoon", "unrecognised")])
def test_impossible_and_ambiguous_dates(text: str, why: str) -> None:
    with pytest.raises(DateParseError) as e:
        parse_date(text)
    assert why in e.value.why_en


def test_a_damaged_sheet_is_named_not_a_generic_failure(tmp_path: Path) -> None:
    import zipfile
    good = _book(tmp_path)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet7.xml":  # 巡河记录: a row number that is not one
                data = data.replace(b'<row r="3">', b'<row r="three">')
            dst.writestr(info, data)
    [p] = pytest.raises(Exception, load_path, bad).value.problems  # type: ignore[attr-defined]
    assert (p.code, str(p.location)) == ("E-XLSX", f"{bad}[巡河记录]")
