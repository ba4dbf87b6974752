"""Build submissions in every supported format from the compliant county fixture, and run
``ducha`` in-process. Workbooks and CSV packages come from :mod:`checker.export` (whose
round trip through the loaders is tested in tests/test_export.py)."""
from __future__ import annotations

import copy
import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml

from checker import export
from checker.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "rules" / "guigang-river-chief" / "base-county.yaml"


def base_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    return doc


def variant(*, period: str, as_of: str, remove_docs: tuple[str, ...] = (), names: dict[str, str] | None = None,
            submission_id: str | None = None) -> dict[str, Any]:
    """The base county submission for another period, without some documents, with renamed
    jurisdictions (code → name)."""
    doc = copy.deepcopy(base_doc())
    doc["period"] = period
    doc["as_of"] = dt.date.fromisoformat(as_of)
    doc["submission_id"] = submission_id or f"GG-450802-{period}"
    doc["documents"] = [d for d in doc["documents"] if d["id"] not in remove_docs]
    for j in doc["jurisdictions"]:
        if names and j["code"] in names:
            j["name"] = names[j["code"]]
    return doc


def _plain(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def write_json(doc: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_plain(doc), ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def write_yaml(doc: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_xlsx(doc: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return export.write_xlsx(doc, path)


def write_csv_folder(doc: dict[str, Any], folder: Path) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    return export.write_csv_folder(doc, folder)


def write_zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2019, 1, 1, 0, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return path


def zip_bomb(path: Path, size: int = 64 * 1024 * 1024) -> Path:
    """A small archive that expands to ``size`` zero bytes (a ratio of about 1000:1)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        info = zipfile.ZipInfo("quarter.json", date_time=(2019, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


def ducha(capsys: Any, *args: str | Path) -> tuple[int, str, str]:
    """Run the CLI in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
