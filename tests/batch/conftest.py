"""The mixed inbox, checked twice (2 workers, then 1), shared by the batch tests."""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.cli.main import main

from .helpers import variant, write_csv_folder, write_json, write_xlsx, write_yaml, write_zip, zip_bomb

INJECTED = {"450802001": '=HYPERLINK("http://evil.example/","点我")', "450802101": "<script>alert(1)</script>镇"}


@dataclass
class Run:
    code: int
    out: str
    err: str
    dir: Path


def _main(*args: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def _inbox(root: Path) -> Path:
    inbox = root / "inbox"
    write_json(variant(period="2018Q4", as_of="2018-12-31"), inbox / "a-ok.json")
    write_yaml(variant(period="2018Q3", as_of="2018-09-30", remove_docs=("D-WP-T1",)), inbox / "b-q3.yaml")
    write_xlsx(variant(period="2018Q4", as_of="2018-12-31", submission_id="GG-450802-2018Q4-XLSX"), inbox / "c.xlsx")
    write_csv_folder(variant(period="2018Q4", as_of="2018-12-31", submission_id="GG-450802-2018Q4-CSV"), inbox / "d-csv")
    (inbox / "e-broken.json").write_text('{"schema_version": "1.0", ', encoding="utf-8")
    write_zip(inbox / "f-evil.zip", {"ok.json": b"{}", "../../evil.json": b"{}"})
    zip_bomb(inbox / "g-bomb.zip", size=16 * 1024 * 1024)
    inner = write_json(variant(period="2018Q4", as_of="2018-12-31", submission_id="GG-450802-2018Q4-ZIP"),
                       root / "tmp" / "q4.json").read_bytes()
    write_zip(inbox / "h-good.zip", {"county/q4.json": inner})
    # the latest as_of: the scorecard counts this one for 港北区
    write_json(variant(period="2018Q4", as_of="2019-01-05", submission_id="GG-450802-2018Q4-INJ",
                       remove_docs=("D-WP-T1", "D-WP-T2"), names=INJECTED), inbox / "i-inject.json")
    (inbox / "README.md").write_text("收件说明", encoding="utf-8")
    return inbox


@pytest.fixture(scope="package")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    root = tmp_path_factory.mktemp("batch")
    inbox = _inbox(root)
    got = []
    for workers in (2, 1):
        out = root / f"out-{workers}"
        code, so, se = _main("batch", inbox, "--out", out, "--workers", workers)
        got.append(Run(code, so, se, out))
    return got[0], got[1]


