"""Two kinds of failure, never mixed (style habit 6).

* :class:`Problem` / :class:`InputError`: the *input* cannot be used (exit 2). A problem is
  data: a code, where it is (file plus JSON pointer, or sheet/row/column), a bilingual message
  and the offending value. Loaders and validators collect every problem, then raise once.
* :class:`RuleError`: the *rules* are broken (exit 2, but the fault is the pack's, not the
  submitter's).
* Anything else escaping is a bug in ducha (exit 3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True, order=True)
class Location:
    """Where something is in an input file: a JSON pointer, or a sheet/row/column."""

    file: str
    pointer: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.pointer is not None:
            return f"{self.file}#{self.pointer}"
        parts = [self.file]
        if self.sheet:
            parts.append(f"[{self.sheet}]")
        if self.row is not None:
            parts.append(f" 行/row {self.row}")
        if self.column:
            parts.append(f" 列/column {self.column}")
        return "".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True, order=True)
class Problem:
    location: Location
    code: str
    message_zh: str
    message_en: str
    value: str | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {"code": self.code, "location": self.location.to_dict(),
                                "where": str(self.location), "message_zh": self.message_zh,
                                "message_en": self.message_en}
        if self.value is not None:
            d["value"] = self.value
        return d


class InputError(Exception):
    """The submission cannot be used. Carries every problem found, sorted."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems), key=_sort_key)
        super().__init__(f"{len(self.problems)} input problem(s)")


def _sort_key(p: Problem) -> tuple[object, ...]:
    """Reading order: file, then place (absent parts first, pointer segments and rows
    numerically), then code. Never compares ``None`` with a string, as field order would."""
    loc = p.location
    pointer = tuple((0, int(s), "") if s.isdigit() else (1, 0, s) for s in (loc.pointer or "").split("/")[1:])
    return (loc.file, loc.pointer is not None, pointer, loc.sheet or "", -1 if loc.row is None else loc.row,
            loc.column or "", p.code, p.message_zh, p.message_en, p.value or "")


class RuleError(Exception):
    """A rule file or rule pack is broken (not the submitter's fault)."""

    def __init__(self, file: str, where: str, message: str, problems: list[str] | None = None) -> None:
        self.file, self.where, self.detail = file, where, message
        self.problems = problems or [f"{file}: {where}: {message}"]
        super().__init__("; ".join(self.problems))


@dataclass
class ProblemSink:
    """Collects problems; ``raise_if_any`` turns them into one :class:`InputError`."""

    problems: list[Problem] = field(default_factory=list)
    limit: int = 1000  # a hopeless file should not produce a million messages

    def add(self, location: Location, code: str, zh: str, en: str, value: object = None) -> None:
        if len(self.problems) < self.limit:
            shown = None if value is None else str(value)[:200]
            self.problems.append(Problem(location, code, zh, en, shown))
        elif len(self.problems) == self.limit:
            self.problems.append(Problem(Location(location.file), "E-TOO-MANY",
                                         f"问题过多，仅显示前 {self.limit} 条", f"too many problems; first {self.limit} shown"))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
