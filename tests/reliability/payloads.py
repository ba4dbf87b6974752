"""A submission full of hostile strings, and the inbox that carries it, for the output-safety
tests: formula payloads (a spreadsheet would run them) and markup payloads (a browser would).

Every markup payload, if it ever ran, would set ``document.title`` to ``XSS…``: a rendered page
whose title starts with that has executed submission data."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "tests" / "cli" / "data" / "rules"
LAPSES = ROOT / "tests" / "cli" / "data" / "county-lapses.yaml"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ['=HYPERLINK("http://evil.example/","点我")', "+1+1", "-2+3", "@SUM(1,1)", "=cmd|' /C calc'!A0",
            "\t=1+1", "\r=2+2"]
MARKUP = ["<script>document.title='XSS1'</script>", "<img src=x onerror=\"document.title='XSS2'\">",
          "\"><img src=x onerror=document.title='XSS3'>", "'><svg onload=document.title='XSS4'>",
          "</style><script>document.title='XSS5'</script>", "javascript:document.title='XSS6'",
          "</title><script>document.title='XSS7'</script>", "<a href=\"javascript:document.title='XSS8'\">x</a>",
          "</td></tr></table><iframe srcdoc=\"<script>parent.document.title='XSS9'</script>\">"]
FILE_NAME = "<img src=x onerror=document.title='XSSF'>.yaml"  # a name a browser would run, if unescaped


def payload_doc() -> dict[str, Any]:
    """The lapses fixture (violations guaranteed) with one extra township per payload, each
    named by it (a township without a work plan is a violation naming it), the county named by
    a markup payload, and payloads in chief names and document titles."""
    doc: dict[str, Any] = yaml.safe_load(LAPSES.read_text(encoding="utf-8"))
    doc["submission_id"] = "GG-450802-2018Q4-PAYLOAD"
    for n, text in enumerate(FORMULAS + MARKUP[1:]):
        doc["jurisdictions"].append({"code": f"450802{900 + n}", "name": text, "level": "township", "parent": "450802"})
    for j in doc["jurisdictions"]:
        if j["code"] == "450802":
            j["name"] = MARKUP[0]
    for c, text in zip(doc["chiefs"], [FORMULAS[0], MARKUP[2]]):
        c["name"] = text
    for d, text in zip(doc["documents"], FORMULAS + MARKUP):
        d["title"] = text
    return doc


def write_inbox(inbox: Path) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "payload.yaml").write_text(yaml.safe_dump(payload_doc(), allow_unicode=True), encoding="utf-8")
    (inbox / FILE_NAME).write_text(LAPSES.read_text(encoding="utf-8").replace(
        "GG-450802-2018Q4", "GG-450802-2018Q4-FILENAME"), encoding="utf-8")
    # unusable: the problem message and value carry the payloads
    bad = payload_doc()
    bad["submission_id"] = "GG-450802-2018Q4-BAD"
    bad["jurisdictions"][2]["level"] = FORMULAS[0]
    bad["jurisdictions"][3]["level"] = MARKUP[0]
    (inbox / "bad.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    return inbox
