"""The corpus in figures, for the corpus section of docs/reliability.md (a test checks the doc holds them).

    .venv/bin/python tests/corpus/tally.py        # print the figures as Markdown
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

CORPUS = Path(__file__).resolve().parent


def _format(name: str) -> str:
    if "." not in name:
        return "CSV folder"
    return {"json": "JSON", "yaml": "YAML", "yml": "YAML", "xlsx": "xlsx", "zip": "zip"}[name.rsplit(".", 1)[1]]


@dataclass(frozen=True)
class Tally:
    inputs: int
    refused: int
    warned: int
    accepted: int
    problems: int
    codes: Counter[str]
    formats: Counter[str]

    def lines(self) -> list[str]:
        """The Markdown lines the doc must contain, in order."""
        errors = sorted(c for c in self.codes if c.startswith("E-"))
        warnings = sorted(c for c in self.codes if c.startswith("W-"))
        out = [
            f"- **{self.inputs}** corpus inputs ({', '.join(f'{n} {f}' for f, n in sorted(self.formats.items()))})",
            f"- **{self.refused}** refused (exit 2), **{self.warned}** usable with warnings, "
            f"**{self.accepted - self.warned}** accepted as they are",
            f"- **{self.problems}** expected problems and warnings, **{len(self.codes)}** distinct codes "
            f"({len(errors)} error codes, {len(warnings)} warning codes)",
            "",
            "| code | expected |",
            "|---|---|",
        ]
        out += [f"| `{c}` | {self.codes[c]} |" for c in errors + warnings]
        return out


def tally(expected: Mapping[str, list[dict[str, Any]]]) -> Tally:
    codes: Counter[str] = Counter(p["code"] for problems in expected.values() for p in problems)
    refused = sum(1 for ps in expected.values() if any(p["code"].startswith("E-") for p in ps))
    warned = sum(1 for ps in expected.values() if ps and all(p["code"].startswith("W-") for p in ps))
    return Tally(inputs=len(expected), refused=refused, warned=warned, accepted=len(expected) - refused,
                 problems=sum(codes.values()), codes=codes, formats=Counter(_format(n) for n in expected))


def main() -> int:
    import yaml
    expected = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
    sys.stdout.write("\n".join(tally(expected).lines()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
