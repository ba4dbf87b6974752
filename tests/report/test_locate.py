"""Evidence locations: text back to data, and to the line a person opens."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.errors import Location
from checker.report.locate import artifact, parse_location, pointer_line

names = st.text(alphabet=st.characters(blacklist_characters="[]#\n", blacklist_categories=("Cs",)), min_size=1, max_size=20)


@given(file=names, table=st.sampled_from(["documents", "chiefs"]), row=st.integers(0, 10_000))
def test_pointer_locations_round_trip(file: str, table: str, row: int) -> None:
    loc = Location(file, pointer=f"/{table}/{row}")
    assert parse_location(str(loc)) == loc


@given(file=names, sheet=st.one_of(st.none(), names), row=st.one_of(st.none(), st.integers(1, 10**6)),
       column=st.one_of(st.none(), names))
def test_tabular_locations_round_trip(file: str, sheet: str | None, row: int | None, column: str | None) -> None:
    loc = Location(file.strip() or "f", sheet=sheet, row=row, column=column.strip() or None if column else None)
    assert parse_location(str(loc)) == loc


def test_pointer_line_in_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "s.yaml"
    y.write_text("a: 1\ndocuments:\n  - {id: D1}\n  - id: D2\n    title: x\n", encoding="utf-8")
    assert pointer_line(str(y), "/documents/1") == 4
    assert pointer_line(str(y), "/documents/1/title") == 5
    assert pointer_line(str(y), "/documents/7") is None
    j = tmp_path / "s.json"
    j.write_text(json.dumps({"a": 1, "documents": [{"id": "D1"}, {"id": "D2"}]}, indent=2), encoding="utf-8")
    assert j.read_text(encoding="utf-8").splitlines()[pointer_line(str(j), "/documents/1") - 1].strip() == "{"
    assert pointer_line(str(j), "/documents/1/id") == 8  # the line of "id": "D2"
    assert pointer_line(str(tmp_path / "missing.yaml"), "/a") is None


@pytest.mark.parametrize("sheet,line", [("documents.csv", 3), ("documents.parquet", None)])
def test_csv_folder_rows_are_lines_of_the_csv_file(tmp_path: Path, sheet: str, line: int | None) -> None:
    folder = tmp_path / "sub"
    folder.mkdir()
    assert artifact(Location(str(folder), sheet=sheet, row=3)) == (f"{folder}/{sheet}", line)
    assert artifact(Location("book.xlsx", sheet="文件", row=3)) == ("book.xlsx", None)


# YAML refuses control characters and counts U+2028/U+2029 as line breaks (a JSON file's lines
# are its \n, as editors and CI annotations count them), and PyYAML decodes an escaped surrogate
# pair as two lone surrogates where JSON means one character: the comparison keeps to the BMP.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), max_codepoint=0xFFFF), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=25)


def _pointers(v: object, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _pointers(x, prefix + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _pointers(x, f"{prefix}/{i}")
    return out + [prefix + "/0", prefix + "/missing"]


@given(doc=st.dictionaries(texts, json_values, max_size=5), indent=st.sampled_from([None, 0, 1, 2, 4]),
       ascii_only=st.booleans(), backwards=st.booleans())
def test_json_pointer_lines_agree_with_a_yaml_composition_of_the_same_text(
        tmp_path_factory: pytest.TempPathFactory, doc: dict[str, object], indent: int | None, ascii_only: bool,
        backwards: bool) -> None:
    """The JSON index (the C scanner, container by container, each only as far as asked) finds
    the line YAML's composer finds, for every pointer of the document and some that lead
    nowhere, asked in document order or backwards (a container's scan resumed or done at once)."""
    import yaml
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    path = tmp_path_factory.mktemp("j") / "doc.json"
    path.write_text(text, encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    pointers = _pointers(doc)
    for pointer in reversed(pointers) if backwards else pointers:
        node = root
        for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]] if pointer else []:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == token), None)
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                node = node.value[int(token)]
            else:
                node = None
            if node is None:
                break
        want = None if node is None else node.start_mark.line + 1
        assert pointer_line(str(path), pointer) == want, pointer
