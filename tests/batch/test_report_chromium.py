"""report.html in a real browser: headless Chromium loads it offline with no console message
(a blocked external asset or a script would log a Content-Security-Policy violation),
renders both charts, and a screenshot shows a page, not a blank.

Chromium is installed by ``.ci/run`` (``apt-get install chromium``); on a machine without
it this module is skipped, saying so.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTH, HEIGHT = 1280, 2400


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_the_console_check_catches_a_page_that_breaks_the_rules(tmp_path: Path) -> None:
    """The control: the same check flags a page that loads a remote image and runs a script."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
        "</head><body><img src=\"http://example.invalid/x.png\"><script>console.error('x')</script></body></html>",
        encoding="utf-8")
    proc = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", bad.as_uri())
    assert len(_console(proc.stderr)) >= 1


def test_report_renders_offline_without_console_messages(runs: tuple[Run, Run], tmp_path: Path) -> None:
    page = runs[0].dir / "report.html"
    shot = tmp_path / "report.png"
    proc = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", f"--window-size={WIDTH},{HEIGHT}",
                     f"--screenshot={shot}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _console(proc.stderr) == []
    data = shot.read_bytes()
    assert _png_size(data) == (WIDTH, HEIGHT)
    assert len(data) > 50_000  # a blank page of this size is under 10 kB

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0
    assert dom.stdout.count("<svg") == 2
    assert len(re.findall(r"<rect ", dom.stdout)) >= 5
    assert "<script" not in dom.stdout
