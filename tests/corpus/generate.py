"""Write the bad-input corpus of ``tests/corpus/inputs/``: hostile and careless submissions.

    .venv/bin/python tests/corpus/generate.py        # rewrite tests/corpus/inputs/

Every case starts from the small valid submission of ``samples/invalid/generate.py`` (so
row numbers never move) and breaks it the way a careless export, a hand edit or an attacker
would. ``expected.yaml`` lists, by hand, exactly what each input must produce (code,
location, message in both languages; ``W-`` codes are warnings of a usable input, an empty
list means the input is accepted as it is); ``test_corpus.py`` checks every case and that the
committed files are byte for byte what this script writes. Inputs whose name ends in ``.zip``
go through :func:`checker.collect.collect` (what ``ducha batch`` does); all others through
``load_dataset`` (what ``ducha validate`` and ``ducha check`` do).

Workbooks are written by :func:`xlsx` below (raw SpreadsheetML, fixed zip timestamps), not by
openpyxl, because the cases need what openpyxl cannot write: formulas with and without a
saved value, hidden rows, merged cells, parts that are not what they claim.
"""
from __future__ import annotations

import codecs
import copy
import datetime as dt
import importlib.util
import io
import json
import shutil
import stat
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable, Mapping
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from checker.export import Sheets, csv_bytes, tabulate  # noqa: E402

OUT = Path(__file__).resolve().parent / "inputs"
STAMP = (1980, 1, 1, 0, 0, 0)


def _base() -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("invalid_generate", REPO / "samples" / "invalid" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.VALID)


VALID = _base()


def valid() -> dict[str, Any]:
    return copy.deepcopy(VALID)


# --------------------------------------------------------------------------- writers

def _json_text(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _yaml_text(doc: Mapping[str, Any]) -> str:
    import yaml
    return yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False)


def _text(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def _sub(text: str, old: str, new: str) -> str:
    """Replace the first ``old``, which must be there (a case must not silently stay valid)."""
    assert old in text, old
    return text.replace(old, new, 1)


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def workbook(doc: dict[str, Any] | None = None) -> dict[str, list[list[Any]]]:
    """A submission as sheet name → rows (header row first), values as a person types them."""
    sh: Sheets = tabulate(valid() if doc is None else doc)
    out = {sh.header_name: [[_plain(v) for v in r] for r in sh.header]}
    for name, sheet in sh.tables.items():
        out[name] = [list(sheet.columns)] + [[_plain(v) for v in r] for r in sheet.rows]
    return out


def set_cell(book: dict[str, list[list[Any]]], sheet: str, row: int, column: str, value: Any) -> None:
    """Set a cell by spreadsheet row (2 = first record) and column label."""
    rows = book[sheet]
    rows[row - 1][rows[0].index(column)] = value


def _zip(path: Path, parts: list[tuple[str, bytes]], *, mode: int = 0o644, deflate: bool = False) -> None:
    """Members stored uncompressed (the bytes then do not depend on the zlib at hand) unless
    ``deflate``: the zip bombs need compression."""
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = method
            info.external_attr = (stat.S_IFREG | mode) << 16
            z.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _col(i: int) -> str:
    letters, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


class Formula:
    """A formula cell; ``cached`` is the value Excel saved with it (None: none saved)."""

    def __init__(self, formula: str, cached: Any = None) -> None:
        self.formula, self.cached = formula, cached


def _cell_xml(ref: str, v: Any) -> str:
    if isinstance(v, Formula):
        f = f"<f>{escape(v.formula)}</f>"
        if v.cached is None:
            return f'<c r="{ref}">{f}</c>'
        if isinstance(v.cached, str) and v.cached.startswith("#"):  # an error value: #REF!, #DIV/0!
            return f'<c r="{ref}" t="e">{f}<v>{escape(v.cached)}</v></c>'
        if isinstance(v.cached, str):
            return f'<c r="{ref}" t="str">{f}<v>{escape(v.cached)}</v></c>'
        return f'<c r="{ref}">{f}<v>{v.cached}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(path: Path, book: Mapping[str, list[list[Any]]], *, hidden_rows: Mapping[str, list[int]] | None = None,
         hidden_cols: Mapping[str, list[int]] | None = None, merged: Mapping[str, list[str]] | None = None,
         hidden_sheets: frozenset[str] = frozenset(), extra: list[tuple[str, bytes]] | None = None,
         deflate: bool = False) -> None:
    """A minimal, byte-reproducible workbook (rows 1-based in ``hidden_rows``, columns 0-based)."""
    sheets_xml, rels, types = [], [], []
    parts: list[tuple[str, bytes]] = []
    for i, (name, rows) in enumerate(book.items(), start=1):
        hide = set((hidden_rows or {}).get(name, []))
        body = []
        for r, row in enumerate(rows, start=1):
            cells = "".join(_cell_xml(f"{_col(c)}{r}", v) for c, v in enumerate(row) if v is not None)
            attr = ' hidden="1"' if r in hide else ""
            body.append(f'<row r="{r}"{attr}>{cells}</row>')
        cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="0" hidden="1"/>' for c in (hidden_cols or {}).get(name, []))
        cols = f"<cols>{cols}</cols>" if cols else ""
        refs = (merged or {}).get(name, [])
        merge = f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in refs) + "</mergeCells>" \
            if refs else ""
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">{cols}'
               f'<sheetData>{"".join(body)}</sheetData>{merge}</worksheet>')
        parts.append((f"xl/worksheets/sheet{i}.xml", xml.encode("utf-8")))
        state = ' state="hidden"' if name in hidden_sheets else ""
        sheets_xml.append(f'<sheet name="{escape(name)}" sheetId="{i}"{state} r:id="rId{i}"/>')
        rels.append(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        types.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    content_types = (f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     f'{"".join(types)}</Types>')
    root_rels = (f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'{head}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{"".join(sheets_xml)}</sheets></workbook>')
    wb_rels = (f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               f'{"".join(rels)}</Relationships>')
    _zip(path, [("[Content_Types].xml", content_types.encode()), ("_rels/.rels", root_rels.encode()),
                ("xl/workbook.xml", wb.encode()), ("xl/_rels/workbook.xml.rels", wb_rels.encode()),
                *parts, *(extra or [])], deflate=deflate)


def csv_package(path: Path, book: Mapping[str, list[list[Any]]], *, encoding: str = "utf-8-sig",
                bom: bytes = b"") -> None:
    """One ``<sheet>.csv`` per sheet (``\\r\\n`` line ends) in ``encoding``, after ``bom``."""
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in book.items():
        (path / f"{name}.csv").write_bytes(bom + csv_bytes(rows, encoding=encoding))


# --------------------------------------------------------------------------- JSON

def json_truncated(path: Path) -> None:
    """An upload cut off half-way."""
    text = _json_text(valid())
    _text(path, text[: len(text) // 2])


def json_trailing_comma(path: Path) -> None:
    """Hand-edited JSON with a trailing comma (valid in JavaScript, not in JSON)."""
    _text(path, _sub(_json_text(valid()), '"period": "2018Q4",', '"period": "2018Q4",,'))


def json_empty(path: Path) -> None:
    path.write_bytes(b"")


def json_whitespace(path: Path) -> None:
    """Only blanks: not empty on disk, empty as JSON."""
    _text(path, "  \n\n")


def json_top_level_array(path: Path) -> None:
    _text(path, json.dumps([valid()], ensure_ascii=False))


def json_nan(path: Path) -> None:
    _text(path, _sub(_json_text(valid()), '"length_km": 12.5', '"length_km": NaN'))


def json_deep(path: Path) -> None:
    """100,000 nested arrays: a parser-stack attack."""
    _text(path, '{"chiefs": ' + "[" * 100_000 + "]" * 100_000 + "}")


def json_numbers_as_text(path: Path) -> None:
    """Numbers written as text: thousands separators and full-width digits, both quoted."""
    doc = valid()
    doc["reaches"][0]["length_km"] = "1,234"
    doc["patrols"][0]["duration_min"] = "４５"
    _text(path, _json_text(doc))


def json_fullwidth_unquoted(path: Path) -> None:
    """Full-width digits without quotes are not JSON at all."""
    _text(path, _sub(_json_text(valid()), '"duration_min": 45', '"duration_min": ４５'))


def json_negative(path: Path) -> None:
    doc = valid()
    doc["reaches"][0]["length_km"] = -12.5
    doc["patrols"][1]["duration_min"] = -30
    _text(path, _json_text(doc))


def json_bad_dates(path: Path) -> None:
    doc = valid()
    doc["documents"][0]["issued"] = "2017-02-30"
    doc["chiefs"][0]["appointed"] = "2017年13月"
    doc["patrols"][0]["date"] = "12/31/17"
    _text(path, _json_text(doc))


def json_duplicate_ids(path: Path) -> None:
    doc = valid()
    doc["patrols"][3]["id"] = "P-1"
    doc["chiefs"][1]["id"] = "C-1"
    _text(path, _json_text(doc))


def json_unknown_refs(path: Path) -> None:
    doc = valid()
    doc["patrols"][0]["chief"] = "C-404"
    doc["patrols"][0]["reach"] = "R-404"
    doc["reaches"][0]["water_body"] = "W-404"
    _text(path, _json_text(doc))


def json_lone_surrogate(path: Path) -> None:
    """A lone UTF-16 surrogate escape (half of an emoji cut off by a careless export): valid
    JSON syntax, but no character, so not storable as UTF-8."""
    text = _sub(_json_text(valid()), '"name": "张三"', '"name": "张\\ud800三"')
    _text(path, _sub(text, '"name": "郁江"', '"name": "郁江\\udc00"'))


def json_utf16be_bom(path: Path) -> None:
    """Accepted: UTF-16 with a byte-order mark is detected."""
    path.write_bytes(codecs.BOM_UTF16_BE + _json_text(valid()).encode("utf-16-be"))


# --------------------------------------------------------------------------- YAML

def yaml_truncated(path: Path) -> None:
    """A flow list that is never closed."""
    _text(path, _yaml_text(valid()) + "extra: [1, 2\n")


def yaml_tab_indent(path: Path) -> None:
    """A tab where YAML allows only spaces."""
    _text(path, _sub(_yaml_text(valid()), "\n  name: 张三", "\n\tname: 张三"))


def yaml_python_object(path: Path) -> None:
    """The classic: a tag that an unsafe loader turns into a shell command."""
    _text(path, _yaml_text(valid()) + 'note: !!python/object/apply:os.system ["echo pwned"]\n')


def yaml_local_tag(path: Path) -> None:
    _text(path, _yaml_text(valid()) + "note: !include secrets.yaml\n")


def yaml_timestamp_tag(path: Path) -> None:
    """An explicit !!timestamp: the one way left to ask YAML for a date object."""
    _text(path, _sub(_yaml_text(valid()), "as_of: '2018-12-31'", "as_of: !!timestamp 2017-02-30"))


def yaml_billion_laughs(path: Path) -> None:
    """Nine levels of aliases, each ten times the last: 10^9 items if expanded."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    _text(path, "\n".join(lines) + "\n")


def yaml_alias_late(path: Path) -> None:
    """A harmless-looking anchor deep in an otherwise valid submission."""
    text = _sub(_yaml_text(valid()), "- id: C-2", "- &second\n  id: C-2")
    _text(path, text + "extra: *second\n")


def yaml_deep(path: Path) -> None:
    _text(path, "chiefs: " + "[" * 50 + "]" * 50 + "\n")


def yaml_impossible_dates(path: Path) -> None:
    """Unquoted dates: YAML would make the first a timestamp (and crash on day 30 of February)."""
    text = _yaml_text(valid())
    text = _sub(text, "issued: '2017-11-20'", "issued: 2017-02-30")
    text = _sub(text, "appointed: '2017-06-01'", "appointed: 2017年13月")
    text = _sub(text, "date: '2018-10-12'", "date: 12/31/17")
    _text(path, text)


def yaml_yaml11_numbers(path: Path) -> None:
    """YAML 1.1 numbers that silently change value: sexagesimal, octal, hex, digit groups."""
    text = _yaml_text(valid())
    text = _sub(text, "duration_min: 45", "duration_min: 1:30")
    text = _sub(text, "duration_min: 30", "duration_min: 030")
    text = _sub(text, "duration_min: 60", "duration_min: 0x3C")
    text = _sub(text, "length_km: 12.5", "length_km: 1_234")
    _text(path, text)


def yaml_fullwidth_numbers(path: Path) -> None:
    """Accepted: unquoted full-width digits are the number (as in a CSV or xlsx cell)."""
    text = _yaml_text(valid())
    text = _sub(_sub(text, "length_km: 12.5", "length_km: １２．５"), "duration_min: 45", "duration_min: ４５")
    _text(path, text)


def yaml_thousands(path: Path) -> None:
    text = _sub(_yaml_text(valid()), "length_km: 12.5", "length_km: 1,234.5")
    _text(path, text)


def yaml_empty(path: Path) -> None:
    path.write_bytes(b"")


def yaml_comment_only(path: Path) -> None:
    _text(path, "# 待填写 / to be filled in\n")


def yaml_two_documents(path: Path) -> None:
    _text(path, _yaml_text(valid()) + "---\n" + _yaml_text(valid()))


def yaml_merge_key(path: Path) -> None:
    """A merge key: YAML 1.1 would copy fields from elsewhere; here it is just an unknown key."""
    text = _sub(_yaml_text(valid()), "- id: C-2\n", "- <<: {level: city}\n  id: C-2\n")
    _text(path, text)


# --------------------------------------------------------------------------- xlsx

def xlsx_ole(path: Path) -> None:
    """An old binary .xls (OLE compound file) renamed to .xlsx."""
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))


def xlsx_truncated(path: Path) -> None:
    """A workbook cut off during upload: the zip directory at the end is gone."""
    tmp = path.with_suffix(".tmp")
    xlsx(tmp, workbook())
    data = tmp.read_bytes()
    tmp.unlink()
    path.write_bytes(data[: len(data) // 2])


def xlsx_empty(path: Path) -> None:
    path.write_bytes(b"")


def xlsx_missing_header_sheet(path: Path) -> None:
    book = workbook()
    del book["报送信息"]
    xlsx(path, book)


def xlsx_missing_table_sheet(path: Path) -> None:
    """The jurisdiction sheet left out: every reference to a jurisdiction dangles."""
    book = workbook()
    del book["行政区"]
    xlsx(path, book)


def xlsx_renamed_sheets(path: Path) -> None:
    """Sheets renamed by Excel or by hand: Sheet1, 河长 (2)."""
    book = workbook()
    renamed = {"江河湖库": "Sheet1", "河长": "河长 (2)"}
    xlsx(path, {renamed.get(k, k): v for k, v in book.items()})


def xlsx_merged_header(path: Path) -> None:
    """A merged title over two header cells, and a merged block of chiefs' water bodies."""
    book = workbook()
    chiefs = book["河长"]
    col = chiefs[0].index("负责水体")
    chiefs[0][col + 1] = None  # 负责河段 swallowed by the merge
    chiefs[2][col] = None
    xlsx(path, book, merged={"河长": [f"{_col(col)}1:{_col(col + 1)}1", f"{_col(col)}2:{_col(col)}3"]})


def xlsx_formula_uncached(path: Path) -> None:
    """Formulas written by a script and never opened in Excel: no saved value."""
    book = workbook()
    set_cell(book, "巡河记录", 2, "时长(分钟)", Formula("30+15"))
    set_cell(book, "河段", 2, "长度(公里)", Formula("SUM(Z1:Z9)"))
    xlsx(path, book)


def xlsx_formula_cached(path: Path) -> None:
    """Accepted: formulas with the values Excel saved (the formulas are never evaluated: one
    would divide by zero, one would call the operating system)."""
    book = workbook()
    set_cell(book, "巡河记录", 2, "时长(分钟)", Formula("1/0", 45))
    set_cell(book, "河长", 2, "姓名", Formula('CALL("kernel32","WinExec","JCJ","calc",0)', "张三"))
    xlsx(path, book)


def xlsx_error_values(path: Path) -> None:
    """Formulas whose saved value is an Excel error: in a text column #REF! would pass as a name."""
    book = workbook()
    set_cell(book, "河长", 3, "姓名", Formula("[1]名单!B2", "#REF!"))
    set_cell(book, "巡河记录", 3, "时长(分钟)", Formula("60/0", "#DIV/0!"))
    xlsx(path, book)


def xlsx_hidden_rows(path: Path) -> None:
    """Usable, with warnings: two patrols in hidden rows, a hidden column, a hidden sheet."""
    book = workbook()
    xlsx(path, book, hidden_rows={"巡河记录": [3, 4]}, hidden_cols={"河长": [7]}, hidden_sheets=frozenset({"文件"}))


def xlsx_zip_bomb(path: Path) -> None:
    """A valid workbook carrying a part that inflates 1000-fold (20 MB of zeros)."""
    xlsx(path, workbook(), extra=[("xl/media/image1.bin", bytes(20 * 1024**2))], deflate=True)


def xlsx_numbers_as_text(path: Path) -> None:
    """Number cells typed as text: full-width digits are accepted, a thousands separator is not."""
    book = workbook()
    set_cell(book, "巡河记录", 2, "时长(分钟)", "４５")
    set_cell(book, "河段", 2, "长度(公里)", "1,234")
    xlsx(path, book)


def xlsx_bad_dates_negative(path: Path) -> None:
    book = workbook()
    set_cell(book, "文件", 2, "印发日期", "2017-02-30")
    set_cell(book, "河长", 2, "任命日期", "2017年13月")
    set_cell(book, "巡河记录", 2, "巡河日期", "12/31/17")
    set_cell(book, "巡河记录", 3, "时长(分钟)", -30)
    xlsx(path, book)


# --------------------------------------------------------------------------- CSV folders

def csv_gbk(path: Path) -> None:
    """Accepted: Chinese Excel's "CSV" is GBK."""
    csv_package(path, workbook(), encoding="gbk")


def csv_gb18030(path: Path) -> None:
    """Accepted: a name with a character outside GBK (four bytes in GB18030)."""
    doc = valid()
    doc["chiefs"][1]["name"] = "李𠀾"
    csv_package(path, workbook(doc), encoding="gb18030")


def csv_utf16le_bom(path: Path) -> None:
    csv_package(path, workbook(), encoding="utf-16-le", bom=codecs.BOM_UTF16_LE)


def csv_utf16be_bom(path: Path) -> None:
    csv_package(path, workbook(), encoding="utf-16-be", bom=codecs.BOM_UTF16_BE)


def csv_utf16le_nobom(path: Path) -> None:
    """UTF-16 without a byte-order mark: refused, never guessed."""
    book = workbook()
    csv_package(path, book)
    (path / "河长.csv").write_bytes(csv_bytes(book["河长"], encoding="utf-16-le"))


def csv_utf16be_nobom(path: Path) -> None:
    book = workbook()
    csv_package(path, book)
    (path / "河长.csv").write_bytes(csv_bytes(book["河长"], encoding="utf-16-be"))


def csv_utf8_no_bom_mixed_endings(path: Path) -> None:
    """Accepted: UTF-8 without BOM, lines ended by \\r\\n, \\n and a lone \\r in one file."""
    book = workbook()
    csv_package(path, book, encoding="utf-8")
    lines = csv_bytes(book["巡河记录"], encoding="utf-8").split(b"\r\n")
    ends = [b"\r\n", b"\n", b"\r", b"\n"]
    (path / "巡河记录.csv").write_bytes(b"".join(line + ends[i % 4] for i, line in enumerate(lines[:-1])))


def csv_ragged(path: Path) -> None:
    book = workbook()
    book["巡河记录"][2].extend(["多余", "x"])
    csv_package(path, book)


def csv_unclosed_quote(path: Path) -> None:
    book = workbook()
    csv_package(path, book)
    data = _sub((path / "河长.csv").read_bytes().decode("utf-8-sig"), "张三", '"张三').encode("utf-8-sig")
    (path / "河长.csv").write_bytes(data)


def csv_bad_values(path: Path) -> None:
    """Impossible and ambiguous dates, negative numbers, numbers as text, duplicate ids and
    references to records that do not exist, all in one package: every one is reported."""
    book = workbook()
    set_cell(book, "文件", 2, "印发日期", "2017-02-30")
    set_cell(book, "河长", 2, "任命日期", "2017年13月")
    set_cell(book, "巡河记录", 2, "巡河日期", "12/31/17")
    set_cell(book, "河段", 2, "长度(公里)", "-12.5")
    set_cell(book, "巡河记录", 3, "时长(分钟)", "1,234")
    set_cell(book, "巡河记录", 4, "时长(分钟)", "１２３")  # accepted: full-width digits
    set_cell(book, "巡河记录", 5, "编号", "P-1")
    set_cell(book, "巡河记录", 5, "河长", "C-404")
    csv_package(path, book)


def csv_empty_header(path: Path) -> None:
    csv_package(path, workbook())
    (path / "报送信息.csv").write_bytes(b"")


def csv_empty_folder(path: Path) -> None:
    """Nothing but a hidden file (git keeps no empty folders; the loader ignores dot files)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / ".keep").write_bytes(b"")


def csv_damaged_parquet(path: Path) -> None:
    book = workbook()
    patrols = book.pop("巡河记录")
    csv_package(path, book)
    (path / "巡河记录.parquet").write_bytes(b"PAR1" + csv_bytes(patrols, encoding="utf-8") + b"PAR1")


def csv_parquet_bad_utf8(path: Path) -> None:
    """A Parquet text column whose bytes are not UTF-8 (Parquet does not enforce it): once a
    crash in pandas (exit 3)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    book = workbook()
    patrols = book.pop("巡河记录")
    csv_package(path, book)
    columns = {name: [row[i] for row in patrols[1:]] for i, name in enumerate(patrols[0])}
    ids = [str(v).encode("utf-8") for v in columns["编号"]]
    ids[1] = b"P-\xed\xa0\x80"  # a UTF-16 surrogate written as UTF-8 bytes
    table = pa.table({name: pa.array(ids, pa.binary()).view(pa.string()) if name == "编号" else pa.array(values)
                      for name, values in columns.items()})
    pq.write_table(table, path / "巡河记录.parquet")


# --------------------------------------------------------------------------- zip archives (via collect)

def _submission_json() -> bytes:
    return _json_text(valid()).encode("utf-8")


def zip_dotdot(path: Path) -> None:
    _zip(path, [("ok.json", _submission_json()), ("../../evil.json", _submission_json())])


def zip_absolute(path: Path) -> None:
    _zip(path, [("/etc/cron.d/evil.json", _submission_json())])


def zip_symlink(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("passwd.json", date_time=STAMP)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    path.write_bytes(buf.getvalue())


def zip_bomb(path: Path) -> None:
    """20 MB of zeros in a 20 KB archive."""
    _zip(path, [("s.json", bytes(20 * 1024**2))], deflate=True)


def zip_not_a_zip(path: Path) -> None:
    _text(path, "这不是压缩包 / not an archive\n")


CASES: dict[str, Callable[[Path], None]] = {
    "json-truncated.json": json_truncated,
    "json-trailing-comma.json": json_trailing_comma,
    "json-empty.json": json_empty,
    "json-whitespace.json": json_whitespace,
    "json-top-level-array.json": json_top_level_array,
    "json-nan.json": json_nan,
    "json-deep.json": json_deep,
    "json-numbers-as-text.json": json_numbers_as_text,
    "json-fullwidth-unquoted.json": json_fullwidth_unquoted,
    "json-negative.json": json_negative,
    "json-bad-dates.json": json_bad_dates,
    "json-duplicate-ids.json": json_duplicate_ids,
    "json-unknown-refs.json": json_unknown_refs,
    "json-utf16be-bom.json": json_utf16be_bom,
    "json-lone-surrogate.json": json_lone_surrogate,
    "yaml-truncated.yaml": yaml_truncated,
    "yaml-tab-indent.yaml": yaml_tab_indent,
    "yaml-python-object.yaml": yaml_python_object,
    "yaml-local-tag.yaml": yaml_local_tag,
    "yaml-timestamp-tag.yaml": yaml_timestamp_tag,
    "yaml-billion-laughs.yaml": yaml_billion_laughs,
    "yaml-alias-late.yml": yaml_alias_late,
    "yaml-deep.yaml": yaml_deep,
    "yaml-impossible-dates.yaml": yaml_impossible_dates,
    "yaml-yaml11-numbers.yaml": yaml_yaml11_numbers,
    "yaml-fullwidth-numbers.yaml": yaml_fullwidth_numbers,
    "yaml-thousands.yaml": yaml_thousands,
    "yaml-empty.yaml": yaml_empty,
    "yaml-comment-only.yaml": yaml_comment_only,
    "yaml-two-documents.yaml": yaml_two_documents,
    "yaml-merge-key.yaml": yaml_merge_key,
    "xlsx-ole.xlsx": xlsx_ole,
    "xlsx-truncated.xlsx": xlsx_truncated,
    "xlsx-empty.xlsx": xlsx_empty,
    "xlsx-missing-header-sheet.xlsx": xlsx_missing_header_sheet,
    "xlsx-missing-table-sheet.xlsx": xlsx_missing_table_sheet,
    "xlsx-renamed-sheets.xlsx": xlsx_renamed_sheets,
    "xlsx-merged-header.xlsx": xlsx_merged_header,
    "xlsx-formula-uncached.xlsx": xlsx_formula_uncached,
    "xlsx-formula-cached.xlsx": xlsx_formula_cached,
    "xlsx-error-values.xlsx": xlsx_error_values,
    "xlsx-hidden-rows.xlsx": xlsx_hidden_rows,
    "xlsx-zip-bomb.xlsx": xlsx_zip_bomb,
    "xlsx-numbers-as-text.xlsx": xlsx_numbers_as_text,
    "xlsx-bad-dates-negative.xlsx": xlsx_bad_dates_negative,
    "csv-gbk": csv_gbk,
    "csv-gb18030": csv_gb18030,
    "csv-utf16le-bom": csv_utf16le_bom,
    "csv-utf16be-bom": csv_utf16be_bom,
    "csv-utf16le-nobom": csv_utf16le_nobom,
    "csv-utf16be-nobom": csv_utf16be_nobom,
    "csv-mixed-line-endings": csv_utf8_no_bom_mixed_endings,
    "csv-ragged": csv_ragged,
    "csv-unclosed-quote": csv_unclosed_quote,
    "csv-bad-values": csv_bad_values,
    "csv-empty-header": csv_empty_header,
    "csv-empty-folder": csv_empty_folder,
    "csv-damaged-parquet": csv_damaged_parquet,
    "csv-parquet-bad-utf8": csv_parquet_bad_utf8,
    "zip-dotdot.zip": zip_dotdot,
    "zip-absolute.zip": zip_absolute,
    "zip-symlink.zip": zip_symlink,
    "zip-bomb.zip": zip_bomb,
    "zip-not-a-zip.zip": zip_not_a_zip,
}


def generate(out: Path = OUT) -> list[Path]:
    """Write every case under ``out`` (replacing what is there); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in CASES.items():
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        if "." not in name:  # a CSV package
            path.mkdir(parents=True)
        make(path)
        written.append(path)
    return written


def main() -> int:
    for p in generate(OUT):
        print(p.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
