"""``xlsx``: the supervision office's scorecard workbook.

Sheets: summary; compliance by jurisdiction, by lead unit, by obligation, by document
section (see :mod:`.scorecard` for what is counted); compliance per jurisdiction and quarter;
the trend (new / persisting / resolved lapses, and against ``--compare``); the inputs that
could not be used, one row per problem. Every text cell from submission data is protected
against formula injection and stored as text; the file is byte-identical for the same
results (fixed zip timestamps, see :func:`~checker.report.safe.normalise_zip`).
"""
from __future__ import annotations

import io
import math
import re
from itertools import zip_longest
from operator import attrgetter
from typing import Any, Iterable, Sequence

from ..finding import reason_text
from .base import RenderOptions, Report, summary_line, tr
from .safe import FORMULA_PREFIXES, normalise_zip, protect
from .scorecard import COLUMNS, DIMENSIONS, HEADINGS, ORDER, TITLES, Tally, basis_line, note_line
from .trend import NOW_TEXT, STATUS_TEXT, Step
from .view import BatchView

NAME = "xlsx"
BINARY = True

SHEETS = {
    "summary": ("概况", "Summary"),
    "jurisdiction": ("按行政区", "By jurisdiction"),
    "department": ("按牵头单位", "By lead unit"),
    "obligation": ("按义务", "By obligation"),
    "section": ("按方案章节", "By section"),
    "quarter": ("按季度", "By quarter"),
    "trend": ("趋势", "Trend"),
    "unusable": ("无法使用的报送", "Unusable inputs"),
}
PCT = "0.0%"


class _Sheet:
    """A sheet's rows as data. :meth:`materialize` makes them openpyxl cells (the reference
    way); :func:`_save` writes them straight into the sheet's XML instead, the same bytes a
    hundred times faster than openpyxl's cell-by-cell serialiser (a nation's workbook has a
    million rows)."""

    def __init__(self, wb: Any, title: str) -> None:
        self.ws = wb.create_sheet(title)
        self._extent: tuple[int, int, int, int] | None = None
        self.n = 0  # rows appended: ws.max_row scans every cell, too slow per row for a nation
        self.rows: list[tuple[list[Any], bool, frozenset[int]]] = []  # values, bold, percentage columns
        self._pct: dict[tuple[int, ...], frozenset[int]] = {}  # one set per distinct pct_cols: a million rows

    def row(self, values: Sequence[Any], *, bold: bool = False, pct_cols: Iterable[int] = ()) -> None:
        if type(pct_cols) is frozenset:  # a caller's set made once for many rows
            pct: frozenset[int] = pct_cols
        else:
            cols = tuple(pct_cols)
            got = self._pct.get(cols)
            if got is None:
                got = self._pct[cols] = frozenset(cols)
            pct = got
        self.rows.append((list(values), bold, pct))
        self.n += 1
        self._extent = None

    def _widths(self) -> dict[int, int]:
        """Each column's width in characters (wide ones count double), at most 60: a column at a
        time (a nation's sheets have half a million rows: lengths are compared in C, and only the
        longest texts are measured for wide characters)."""
        widths: dict[int, int] = {}
        absent = object()
        for i, col in enumerate(zip_longest(*(values for values, _, _ in self.rows), fillvalue=absent), start=1):
            if None in col or absent in col:
                texts = ["" if v is None else str(v) for v in col if v is not absent]
            else:
                texts = list(map(str, col))
            w = max(map(len, texts))
            if not "".join(texts).isascii():
                w = 0
                for t in sorted(texts, key=len, reverse=True):
                    if 2 * len(t) <= w:  # no shorter text can be wider
                        break
                    w = max(w, len(t) + len(_WIDE.findall(t)) if not t.isascii() else len(t))
            widths[i] = min(60, w)
        return widths

    def head(self, values: Sequence[str]) -> None:
        self.row(values, bold=True)
        self.ws.freeze_panes = f"A{self.n + 1}"  # a coordinate: ws.cell() would create a row

    def finish(self, filter_from: int | None = None) -> None:
        from openpyxl.utils import get_column_letter
        for i, w in self._widths().items():
            self.ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
        max_row, max_col = self.extent()[2:]
        if filter_from is not None and max_row > filter_from:
            self.ws.auto_filter.ref = f"A{filter_from}:{get_column_letter(max_col)}{max_row}"

    def extent(self) -> tuple[int, int, int, int]:
        """(min row, min column, max row, max column) of the cells, as openpyxl counts them
        (every appended value is a cell, None included); (1, 1, 1, 1) without cells."""
        if self._extent is None:  # asked for by several writers: counted once per sheet
            used = [r for r, (values, _, _) in enumerate(self.rows, start=1) if values]
            self._extent = (1, 1, 1, 1) if not used else \
                (used[0], 1, used[-1], max(len(values) for values, _, _ in self.rows))
        return self._extent

    def materialize(self) -> None:
        """The rows as openpyxl cells: text never a formula, percentages formatted, bold rows."""
        from openpyxl.styles import Font
        for r, (values, bold, pct) in enumerate(self.rows, start=1):
            self.ws.append([_cell(v) for v in values])
            for i, v in enumerate(values, start=1):
                c = self.ws.cell(row=r, column=i)
                if isinstance(c.value, str):
                    c.data_type = "s"  # never a formula, whatever the text
                if i in pct and isinstance(v, float):
                    c.number_format = PCT
                if bold:
                    c.font = Font(bold=True)

    def xml(self, write: Any, wb: Any, styles: dict[tuple[bool, bool], Any]) -> None:
        """``<row>`` elements as openpyxl writes the :meth:`materialize` d cells; raises
        :class:`_Unusual` for a value it does not write the same way."""
        from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]

        from openpyxl.utils import get_column_letter
        letters = [get_column_letter(i) for i in range(1, self.extent()[3] + 1)]
        add = wb._cell_styles.add  # the style ids are handed out in writing order, as openpyxl does
        ids: dict[tuple[bool, bool], str] = {}  # add() gives a style the same id every time after the first

        def style(key: tuple[bool, bool]) -> str:
            if key == (False, False):
                return ""
            s = ids.get(key)
            if s is None:
                s = ids[key] = f' s="{add(styles[key])}"'
            return s

        # A million rows of few shapes: each shape (cell types, bold, percentage columns) becomes
        # a str.format template once, filled per row; text cells are rendered by text() below.
        plans: dict[tuple[Any, ...], tuple[str, list[int], list[int]]] = {}

        def plan(types: tuple[type, ...], bold: bool, pct: frozenset[int]) -> tuple[str, list[int], list[int]]:
            parts, texts, floats = ['<row r="{0}">'], [], []
            for i, t in enumerate(types):
                ref = f'<c r="{letters[i]}{{0}}"'
                s = style((bold, i + 1 in pct and issubclass(t, float)))
                if t is str:
                    parts.append(f'{ref}{s} t="inlineStr"{{{i + 1}}}')
                    texts.append(i)
                elif t is int or t is float:
                    parts.append(f'{ref}{s} t="n"><v>{{{i + 1}:.16g}}</v></c>')
                    if t is float:
                        floats.append(i)
                elif t is type(None):
                    if s:
                        parts.append(f'{ref}{s} t="n" />')
                else:
                    raise _Unusual  # str subclasses, bools, numpy numbers...: openpyxl decides
            parts.append("</row>")
            return "".join(parts), texts, floats

        def text(v: str) -> str:
            c = "'" + v if v.startswith(FORMULA_PREFIXES) else v  # protect(), inlined
            if len(c) > 32767 or _ILLEGAL.search(c):
                raise _Unusual  # openpyxl truncates, or refuses: let it
            if not c:
                return " />"
            stripped = c.strip()
            space = ' xml:space="preserve"' if stripped and c != stripped else ""
            return f"><is><t{space}>{_escape_cdata(c)}</t></is></c>"

        isfinite = math.isfinite
        for r, (values, bold, pct) in enumerate(self.rows, start=1):
            if not values:
                continue
            shape = (tuple(map(type, values)), bold, pct)
            got = plans.get(shape)
            if got is None:
                got = plans[shape] = plan(*shape)
            template, texts, floats = got
            cells = list(values)
            for i in texts:
                cells[i] = text(cells[i])
            for i in floats:
                if not isfinite(cells[i]):
                    raise _Unusual
            write(template.format(r, *cells))


class _Unusual(Exception):
    """A cell value the direct writer does not handle: openpyxl writes the workbook."""


_WIDE = re.compile("[\u2e80-\U0010ffff]")  # characters a spreadsheet shows two columns wide
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl's ILLEGAL_CHARACTERS_RE


def _cell(v: Any) -> Any:
    if v is None:
        return None
    return protect(v) if isinstance(v, str) else v


def _compliance(t: Tally) -> Any:
    c = t.compliance
    return "—" if c is None else c


_COUNTS = attrgetter(*(c for c in ORDER if c != "compliance"))
_AT = ORDER.index("compliance")


def _numbers(t: Tally) -> list[Any]:
    out = list(_COUNTS(t))  # the counts in ORDER, then the compliance in its place
    out.insert(_AT, _compliance(t))
    return out


def _summary(wb: Any, view: BatchView, lang: str) -> _Sheet:
    report = view.report
    s = _Sheet(wb, tr(lang, *SHEETS["summary"]))
    c = report.counts()
    s.row([tr(lang, "督查 ducha 批量检查汇总", "ducha batch check summary")], bold=True)
    s.row([])
    info = report.info
    rows: list[tuple[str, str, Any]] = [
        ("ducha 版本", "ducha version", info.ducha_version),
        ("检查日期", "as of", info.as_of or tr(lang, "各报送自身的数据截止日期", "each submission's own as_of")),
        ("输入", "inputs", c.files), ("已检查", "checked", c.checked), ("无法使用", "unusable", c.invalid),
        ("未能检查", "not checked", c.failed),
    ]
    if info.params:
        rows.append(("参数", "parameters", "; ".join(f"{k}={v}" for k, v in sorted(info.params.items()))))
    if info.select or info.exclude:
        rows.append(("规则选择", "rule selection", f"select={','.join(info.select)} exclude={','.join(info.exclude)}"))
    if view.previous_count is not None:
        rows.append(("对比的上次运行", "compared with", f"{view.previous_count} " + tr(lang, "份报送", "submissions")))
    for zh, en, v in rows:
        s.row([tr(lang, zh, en), v])
    s.row([])
    s.row([summary_line(report, lang)])
    card = view.cards["jurisdiction"]
    s.row([basis_line(card, lang)])
    s.row([note_line(lang)])
    for n in report.notices:
        s.row([n.code, n.where or "", n.message(lang)])
    s.finish()
    return s


def _dimension(wb: Any, view: BatchView, by: str, lang: str) -> _Sheet:
    card = view.cards[by]
    s = _Sheet(wb, tr(lang, *SHEETS[by]))
    (kz, lz), (ke, le) = HEADINGS[by]
    key_head = ke if lang == "en" else kz
    label_head = le if lang == "en" else lz
    head = ([key_head] if key_head else []) + [label_head] + [tr(lang, *COLUMNS[c]) for c in ORDER]
    s.head(head)
    offset = len(head) - len(ORDER)
    pct_col = frozenset([offset + ORDER.index("compliance") + 1])
    for r in card.rows:
        s.row(([r.key] if key_head else []) + [r.label(lang)] + _numbers(r.tally), pct_cols=pct_col)
    s.row(([""] if key_head else []) + [tr(lang, "合计", "total")] + _numbers(card.total), bold=True,
          pct_cols=pct_col)
    s.finish(filter_from=1)
    return s


def _quarters(wb: Any, view: BatchView, lang: str) -> _Sheet:
    periods, rows, cells = view.quarters
    s = _Sheet(wb, tr(lang, *SHEETS["quarter"]))
    s.head([tr(lang, "代码", "code"), tr(lang, "行政区", "jurisdiction"), *periods])
    pct = frozenset(range(3, 3 + len(periods)))
    for r in rows:
        vals = [_compliance(cells[(r.key, p)]) if (r.key, p) in cells else "" for p in periods]
        s.row([r.key, r.label(lang), *vals], pct_cols=pct)
    s.row([])
    s.row([tr(lang, "各季度的合规率（符合 /（符合 + 不符合））", "compliance per quarter (passed / (passed + violated))")])
    s.finish()
    return s


def _trend_rows(s: _Sheet, steps: list[Step], lang: str) -> None:
    for st in steps:
        before = tr(lang, f"上次运行 {st.before}", f"previous run {st.before}") if st.previous_run else st.before
        for ch in st.changes:
            f = ch.finding
            now = "" if ch.status != "resolved" else tr(lang, *NOW_TEXT.get(ch.now, (ch.now, ch.now)))
            s.row([st.jurisdiction, st.jurisdiction_name, before, st.after, tr(lang, *STATUS_TEXT[ch.status]), now,
                   f.rule, "; ".join(f.obligations), f.subject_id, f.subject_name, reason_text(f.reason, lang),
                   f.days_overdue if f.days_overdue is not None else "", f.message(lang), f.fingerprint])


def _trend(wb: Any, view: BatchView, lang: str) -> _Sheet:
    s = _Sheet(wb, tr(lang, *SHEETS["trend"]))
    s.head([tr(lang, "报送单位代码", "submitter code"), tr(lang, "报送单位", "submitter"), tr(lang, "上期", "before"),
            tr(lang, "本期", "after"), tr(lang, "变化", "change"), tr(lang, "现状", "now"), tr(lang, "规则", "rule"),
            tr(lang, "义务编号", "obligations"), tr(lang, "对象编号", "subject id"), tr(lang, "对象", "subject"),
            tr(lang, "原因", "reason"), tr(lang, "逾期天数", "days overdue"), tr(lang, "说明", "message"),
            tr(lang, "指纹", "fingerprint")])
    steps = view.steps
    _trend_rows(s, steps, lang)
    if not steps:
        s.row([tr(lang, "没有同一报送单位的多期报送，也未指定 --compare，无趋势可比。",
                  "No jurisdiction sent several periods and no --compare was given: no trend to show.")])
    s.finish(filter_from=1)
    return s


def _unusable(wb: Any, view: BatchView, lang: str) -> _Sheet:
    s = _Sheet(wb, tr(lang, *SHEETS["unusable"]))
    s.head([tr(lang, "输入文件", "input"), tr(lang, "状态", "status"), tr(lang, "代码", "code"),
            tr(lang, "位置", "where"), tr(lang, "问题", "problem")])
    any_row = False
    for r in view.unusable:
        if r.status == "invalid":
            for p in r.problems:
                s.row([r.path, tr(lang, "无法使用", "unusable"), p.code, str(p.location), p.message(lang)])
                any_row = True
        elif r.status == "failed":
            kind = tr(lang, "规则无法应用", "rules unusable") if r.failure == "rules" else tr(lang, "内部错误", "internal error")
            s.row([r.path, tr(lang, "未能检查", "not checked"), kind, "", r.reason or ""])
            any_row = True
    if not any_row:
        s.row([tr(lang, "全部输入均可使用。", "Every input was usable.")])
    s.finish(filter_from=1)
    return s


def render(report: Report, options: RenderOptions, *, previous: Report | None = None) -> bytes:
    return render_view(BatchView.of(report, previous), options.lang)


def render_view(view: BatchView, lang: str, *, direct: bool = True) -> bytes:
    """The workbook; ``direct``: its rows written straight as XML when openpyxl would use its
    own serialiser (without lxml), else, or for a value that needs openpyxl, as cells."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = [_summary(wb, view, lang)]
    sheets += [_dimension(wb, view, by, lang) for by in DIMENSIONS]
    sheets += [_quarters(wb, view, lang), _trend(wb, view, lang), _unusable(wb, view, lang)]
    stamp = view.stamp
    wb.properties.creator = "ducha"
    wb.properties.created = stamp
    wb.properties.title = tr(lang, *TITLES["jurisdiction"])
    if direct and not openpyxl.LXML:
        try:
            return normalise_zip(_save(wb, sheets), stamp)
        except _Unusual:
            return render_view(view, lang, direct=False)
    for sheet in sheets:
        sheet.materialize()
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), stamp)


def _save(wb: Any, sheets: list[_Sheet]) -> bytes:
    """``wb.save`` with each sheet's rows written by :meth:`_Sheet.xml`."""
    import datetime as dt
    from zipfile import ZIP_STORED, ZipFile

    from openpyxl.cell import Cell
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.styles import Font
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.writer.excel import ExcelWriter

    of = {id(s.ws): s for s in sheets}
    styles: dict[tuple[bool, bool], Any] = {}
    for sheet in sheets:  # fonts and number formats are registered as the cells would register them
        for values, bold, pct in sheet.rows:
            if len(styles) == 3:  # every style a cell can have is known (the order they are found in
                break  # does not matter: one font and one number format, each registered once)
            if not bold and not pct:  # only default cells: nothing to register
                continue
            for i in range(1, len(values) + 1) if bold else pct:
                if i > len(values):
                    continue
                v = values[i - 1]
                key = (bold, i in pct and isinstance(v, float))
                if key != (False, False) and key not in styles:
                    probe = Cell(sheet.ws)  # not in the sheet: only its style is used
                    if key[1]:
                        probe.number_format = PCT
                    if bold:
                        probe.font = Font(bold=True)
                    styles[key] = probe._style

    class Rows(WorksheetWriter):  # type: ignore[misc]
        def write_dimensions(self) -> None:
            r0, c0, r1, c1 = of[id(self.ws)].extent()
            from openpyxl.utils import get_column_letter
            self.xf.send(SheetDimension(f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}").to_tree())

        def write_rows(self) -> None:
            xf = self.xf.send(True)
            with xf.element("sheetData"):
                of[id(self.ws)].xml(xf._file, wb, styles)
            self.xf.send(None)

    class Book(ExcelWriter):  # type: ignore[misc]
        def write_worksheet(self, ws: Any) -> None:  # ExcelWriter.write_worksheet with the writer above
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = Rows(ws)
            writer.write()
            ws._rels = writer._rels
            self._archive.write(writer.out, ws.path[1:])
            self.manifest.append(ws)
            writer.cleanup()

    buf = io.BytesIO()
    archive = ZipFile(buf, "w", ZIP_STORED, allowZip64=True)  # normalise_zip compresses every member anyway
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)  # as wb.save; normalise_zip fixes it
    Book(wb, archive).save()
    return buf.getvalue()
