"""What a ``ducha check`` process imports (import time is a large part of a cold check).

A valid JSON submission checked with ``--format json`` must not import jsonschema (the
column-wise pre-check proves the document valid), openpyxl (no workbook is read or
written) nor the writers of formats nobody asked for. An invalid document does import
jsonschema: that is where its exact problems come from.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "samples/guigang/450881-2018Q4.json"

_PROBE = """
import sys
from checker.cli.main import main
code = main(sys.argv[1:])
mods = sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'openpyxl', 'checker'))
sys.stdout.flush()
sys.stderr.write('\\n@@MODULES@@' + ' '.join(mods) + '\\n')
raise SystemExit(code)
"""


def _modules(*argv: str) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    marker = proc.stderr.rsplit("@@MODULES@@", 1)
    assert len(marker) == 2, proc.stderr
    return proc.returncode, set(marker[1].split()), proc.stdout


def test_valid_json_check_imports_neither_jsonschema_nor_openpyxl(tmp_path: Path) -> None:
    code, mods, out = _modules("check", str(VALID), "--format", "json")
    assert code in (0, 1)
    assert json.loads(out)["results"][0]["status"] == "checked"  # the check really ran
    assert not {m for m in mods if m.split(".")[0] in ("jsonschema", "openpyxl")}
    writers = {m for m in mods if m.startswith("checker.report.") and m not in (
        "checker.report.base", "checker.report.json")}
    assert not writers, f"writers imported without being asked for: {sorted(writers)}"


def test_invalid_json_is_validated_by_jsonschema(tmp_path: Path) -> None:
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    doc["patrols"][0]["date"] = "2018-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, mods, out = _modules("check", str(bad), "--format", "json")
    assert code == 2
    problems = json.loads(out)["results"][0]["problems"]
    assert [(p["code"], p["location"]["pointer"]) for p in problems] == [("E-DATE", "/patrols/0/date")]
    assert "jsonschema" in mods
