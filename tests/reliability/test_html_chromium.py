"""report.html shows hostile submission strings as text, in a real browser.

The payload inbox (names, titles, an input's file name and a problem's value full of
``<script>``, event handlers, ``javascript:`` URLs, tag- and attribute-breaking quotes) goes
through ``ducha batch``; headless Chromium renders report.html and dumps the DOM after the
page (and any image error handlers) had time to run. Every payload would set
``document.title`` to ``XSS…`` if it ran. Checked twice: as written (the page's
Content-Security-Policy forbids scripts, so a payload that became markup would also log a CSP
violation on the console) and with the CSP removed, so that escaping alone is what is tested.

Chromium is found and launched as in tests/batch/test_report_chromium.py; without it this
module is skipped, saying so.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.properties.tally import record

from .payloads import FILE_NAME, MARKUP

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def _render(tmp: Path, page: Path) -> tuple[str, list[str]]:
    """The DOM after load and 3 s of (virtual) time, and the console messages."""
    proc = _chromium(tmp, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
                     page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data


def _parse(dom: str) -> _Dom:
    d = _Dom()
    d.feed(dom)
    return d


def _assert_inert(dom: str, original_title: str) -> None:
    d = _parse(dom)
    assert d.title == original_title and not d.title.startswith("XSS")
    tags = {t for t, _ in d.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}, tags
    handlers = [(t, k) for t, attrs in d.tags for k, _ in attrs if k.lower().startswith("on")]
    assert handlers == []
    links = [v for _, attrs in d.tags for k, v in attrs if k in ("href", "src") and v and "javascript:" in v.lower()]
    assert links == []
    text = "".join(d.text)
    for p in MARKUP + [FILE_NAME]:
        assert p in text, f"{p!r} is not shown literally"
    record("payloads.html", len(MARKUP) + 1)


def _title(page: Path) -> str:
    return _parse(page.read_text(encoding="utf-8")).title


def test_payloads_show_as_text_and_nothing_runs(batch_out: Path, tmp_path: Path) -> None:
    page = batch_out / "report.html"
    assert CSP.search(page.read_text(encoding="utf-8"))
    dom, console = _render(tmp_path, page)
    assert console == []  # a payload that became a script or handler would be a CSP violation here
    _assert_inert(dom, _title(page))


def test_escaping_alone_keeps_payloads_inert(batch_out: Path, tmp_path: Path) -> None:
    bare = tmp_path / "no-csp.html"
    bare.write_text(CSP.sub("", (batch_out / "report.html").read_text(encoding="utf-8")), encoding="utf-8")
    assert not CSP.search(bare.read_text(encoding="utf-8"))
    dom, _ = _render(tmp_path, bare)
    _assert_inert(dom, _title(bare))


def test_the_probe_sees_a_payload_that_runs(tmp_path: Path) -> None:
    """The control: the same payloads written unescaped into a page without CSP do run, and
    the checks above would fail on it."""
    page = tmp_path / "unsafe.html"
    page.write_text("<!DOCTYPE html><html><head><title>report</title></head><body><table><tr><td>"
                    + MARKUP[1] + "</td></tr></table></body></html>", encoding="utf-8")
    dom, _ = _render(tmp_path, page)
    assert _parse(dom).title == "XSS2"
    with pytest.raises(AssertionError):
        _assert_inert(dom, "report")
