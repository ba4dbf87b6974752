"""Baselines: gate on new lapses only.

A baseline is a JSON result written earlier by ``ducha check --format json``. Its known
lapses are the fingerprints of its *violated* and *waived* findings (a fingerprint is the
same rule, subject and jurisdiction, whatever the quarter or the position in the file). In
the current run a violated finding whose fingerprint is known is *suppressed*: left out of
the people- and CI-facing reports and of the exit code, counted in the summary, and kept
(flagged) in the JSON output so that output can serve as the next baseline.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Location, Problem

KNOWN_OUTCOMES = ("violated", "waived")


@dataclass(frozen=True)
class Baseline:
    path: str
    fingerprints: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        """Read a ``ducha-results/1`` JSON file; anything else raises :class:`InputError`."""
        from .report.base import RESULTS_FORMAT
        shown = str(path)

        def fail(code: str, zh: str, en: str) -> InputError:
            return InputError([Problem(Location(shown), code, zh, en)])

        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise fail("E-NOT-FOUND", "基线文件不存在", "the baseline file does not exist") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise fail("E-BASELINE", f"基线文件无法读取（{type(e).__name__}）",
                       f"the baseline file cannot be read ({e})") from None
        if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT or not isinstance(doc.get("results"), list):
            raise fail("E-BASELINE", f"基线文件应为 ducha check --format json 的输出（{RESULTS_FORMAT}）",
                       f"a baseline must be the output of ducha check --format json ({RESULTS_FORMAT})")
        fps = set()
        for r in doc["results"]:
            for f in (r.get("findings") or []) if isinstance(r, dict) else []:
                if isinstance(f, dict) and f.get("outcome") in KNOWN_OUTCOMES and isinstance(f.get("fingerprint"), str):
                    fps.add(f["fingerprint"])
        return cls(shown, frozenset(fps))
