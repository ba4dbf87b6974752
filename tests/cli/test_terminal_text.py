"""What ducha prints on stderr (and the batch's "wrote" lines) carries paths and messages from
the inputs: their control characters are shown as ``\\xNN``, never sent to the terminal."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples/guigang/450802-2018Q4.json"
NASTY = "x\x1b]0;owned\x07\x1b[2J"  # set the window title, clear the screen


def ducha(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *args, "--lang", "en"], capture_output=True,
                          text=True, cwd=REPO, errors="surrogateescape")


def test_a_usage_error_naming_a_path_shows_its_control_characters(tmp_path: Path) -> None:
    out = tmp_path / f"{NASTY}.txt"
    out.write_text("not a folder", encoding="utf-8")
    p = ducha("batch", str(SAMPLE), "--out", str(out))
    assert p.returncode == 2
    assert "--out is not a folder" in p.stderr
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr
    assert "\\x1b]0;owned\\x07\\x1b[2J" in p.stderr


def test_batch_progress_and_wrote_lines_show_control_characters(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / f"{NASTY}.json")
    out = tmp_path / f"out{NASTY}"
    p = ducha("batch", str(inbox), "--out", str(out), "--workers", "1")
    assert p.returncode in (0, 1), p.stderr
    assert "[1/1]" in p.stderr and "\\x1b]0;owned\\x07\\x1b[2J.json" in p.stderr
    assert "wrote" in p.stdout and "\\x1b]0;owned" in p.stdout
    assert "\x1b" not in p.stderr + p.stdout and "\x07" not in p.stderr + p.stdout
