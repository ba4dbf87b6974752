"""Waivers: an approved, dated exception for one obligation and one subject.

A waiver file is YAML, either a list of entries or ``{format: ducha-waivers/1, waivers: [...]}``::

    - obligation: GG-14          # a rule id or a catalogue obligation id
      subject: "450802001"       # a finding's subject id, or "*" for every subject
      reason: 街道撤并，方案由区统一印发
      approver: 港北区河长办
      expires: 2019-06-30        # the last day the waiver applies (inclusive)

A waiver turns a *violated* finding into *waived*: it stays in every report and in the
counts, with the waiver recorded on the finding, so nothing is silently hidden. A waiver
whose ``expires`` is before the finding's ``as_of`` no longer applies, and the run says so;
a waiver that matched nothing is reported as unused, so stale entries get cleaned up.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import InputError, Location, Problem
from .finding import Finding
from .run import Notice, SubmissionResult

FORMAT = "ducha-waivers/1"
FIELDS = ("obligation", "subject", "reason", "approver", "expires")
OPTIONAL = ("id", "pack")


@dataclass(frozen=True)
class Waiver:
    obligation: str
    subject: str
    reason: str
    approver: str
    expires: dt.date
    source: str  # file#/pointer of the entry
    pack: str | None = None

    def matches(self, f: Finding) -> bool:
        return ((self.obligation == f.rule or self.obligation in f.obligations)
                and self.subject in ("*", f.subject_id)
                and (self.pack is None or self.pack == f.pack))

    def active_on(self, as_of: dt.date) -> bool:
        return self.expires >= as_of

    def record(self) -> dict[str, Any]:
        """What a waived finding carries."""
        return {"obligation": self.obligation, "subject": self.subject, "reason": self.reason,
                "approver": self.approver, "expires": self.expires.isoformat(), "source": self.source}


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            return None
    return None


def _dates_as_text_loader() -> Any:
    """A SafeLoader that leaves dates as text, so an impossible date (2019-02-30) becomes a
    located problem instead of an exception inside the YAML parser."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return Loader


def parse_waivers(path: Path) -> tuple[list[Waiver], list[Problem]]:
    """Read a waiver file: the waivers that are well-formed and a problem for each that is not."""
    import yaml
    _DatesAsText = _dates_as_text_loader()
    shown = str(path)
    problems: list[Problem] = []

    def bad(pointer: str, code: str, zh: str, en: str, value: object = None) -> None:
        problems.append(Problem(Location(shown, pointer=pointer), code, zh, en,
                                None if value is None else str(value)[:200]))

    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)  # noqa: S506 - a SafeLoader
    except FileNotFoundError:
        bad("", "E-NOT-FOUND", "豁免文件不存在", "the waiver file does not exist")
        return [], problems
    except (OSError, UnicodeDecodeError) as e:
        bad("", "E-READ", f"无法读取豁免文件：{e}", f"cannot read the waiver file: {e}")
        return [], problems
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark else ""
        bad("", "E-YAML", f"豁免文件不是有效的 YAML{at}", f"the waiver file is not valid YAML{at}")
        return [], problems
    base = ""
    if isinstance(doc, dict):
        fmt = doc.get("format", FORMAT)
        if fmt != FORMAT:
            bad("/format", "E-WAIVER-FORMAT", f"未知的格式“{fmt}”（应为 {FORMAT}）", f"unknown format {fmt!r} (expected {FORMAT})", fmt)
        unknown = sorted(set(doc) - {"format", "waivers"})
        for k in unknown:
            bad(f"/{k}", "E-WAIVER-FIELD", f"未知的键“{k}”", f"unknown key {k!r}")
        entries, base = doc.get("waivers"), "/waivers"
    else:
        entries = doc
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        bad(base, "E-WAIVER-FORMAT", "豁免应为列表", "waivers must be a list")
        return [], problems
    waivers: list[Waiver] = []
    for i, entry in enumerate(entries):
        ptr = f"{base}/{i}"
        if not isinstance(entry, dict):
            bad(ptr, "E-WAIVER-FORMAT", "每条豁免应为键值映射", "each waiver must be a mapping")
            continue
        ok = True
        for k in sorted(set(map(str, entry)) - set(FIELDS) - set(OPTIONAL)):
            bad(f"{ptr}/{k}", "E-WAIVER-FIELD", f"未知的字段“{k}”", f"unknown field {k!r}")
            ok = False
        for k in FIELDS:
            v = entry.get(k)
            if v is None or (isinstance(v, str) and not v.strip()):
                bad(f"{ptr}/{k}", "E-WAIVER-MISSING", f"缺少必填字段“{k}”", f"required field {k!r} is missing")
                ok = False
            elif k != "expires" and not isinstance(v, (str, int)):
                bad(f"{ptr}/{k}", "E-WAIVER-TYPE", f"字段“{k}”应为文本", f"field {k!r} must be text", v)
                ok = False
        expires = _date(entry.get("expires"))
        if entry.get("expires") is not None and expires is None:
            bad(f"{ptr}/expires", "E-WAIVER-DATE", "到期日不是有效日期（YYYY-MM-DD）",
                "expires is not a valid date (YYYY-MM-DD)", entry.get("expires"))
            ok = False
        if ok and expires is not None:
            waivers.append(Waiver(obligation=str(entry["obligation"]).strip(), subject=str(entry["subject"]).strip(),
                                  reason=str(entry["reason"]).strip(), approver=str(entry["approver"]).strip(),
                                  expires=expires, source=f"{shown}#{ptr}",
                                  pack=str(entry["pack"]) if entry.get("pack") is not None else None))
    seen: dict[tuple[str, str, str | None], str] = {}
    for w in waivers:
        key = (w.obligation, w.subject, w.pack)
        if key in seen:
            ptr = w.source.split("#", 1)[1]
            bad(ptr, "E-WAIVER-DUP", f"与 {seen[key]} 重复（同一义务与对象）",
                f"duplicates {seen[key]} (same obligation and subject)")
        else:
            seen[key] = w.source
    return waivers, problems


class Waivers:
    """A run's waivers. :meth:`apply` is pure per finding; :meth:`notices` is derived from
    the results alone, so results checked in several processes can be summarised together."""

    def __init__(self, waivers: Sequence[Waiver], path: str = "") -> None:
        self.items = tuple(waivers)
        self.path = path

    @classmethod
    def load(cls, path: Path) -> "Waivers":
        """Load a waiver file; an unusable file raises :class:`InputError` (exit 2)."""
        waivers, problems = parse_waivers(path)
        if problems:
            raise InputError(problems)
        return cls(waivers, str(path))

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            if f.outcome == "violated":
                day = dt.date.fromisoformat(f.as_of)
                w = next((w for w in self.items if w.matches(f) and w.active_on(day)), None)
                if w is not None:
                    f = f.with_(outcome="waived", waiver=w.record())
            out.append(f)
        return out

    def notices(self, results: Iterable[SubmissionResult]) -> list[Notice]:
        findings = [f for r in results for f in r.findings]
        used = {str(f.waiver.get("source")) for f in findings if f.waiver}
        out = []
        for w in self.items:
            if w.source in used:
                continue
            late = sorted({f.as_of for f in findings
                           if f.outcome == "violated" and w.matches(f) and not w.active_on(dt.date.fromisoformat(f.as_of))})
            what = f"{w.obligation} / {w.subject}"
            if late:
                out.append(Notice(
                    "W-WAIVER-EXPIRED",
                    f"豁免 {what} 已于 {w.expires} 到期（检查日 {late[0]}），不再适用",
                    f"waiver {what} expired on {w.expires} (as of {late[0]}) and no longer applies", w.source))
            else:
                out.append(Notice("W-WAIVER-UNUSED", f"豁免 {what} 未匹配任何违反项，可删除",
                                  f"waiver {what} matched no violation and can be removed", w.source))
        return out
