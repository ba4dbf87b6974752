"""``ducha scorecard``: from a saved results.json or straight from submissions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.report import json as json_writer
from checker.report.base import RenderOptions
from checker.report.scorecard import format_markdown, format_table, scorecard
from tests.batch.helpers import ducha, variant, write_yaml

from .synthetic import sample_report


@pytest.fixture()
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    path.write_text(json_writer.render(sample_report(), RenderOptions()), encoding="utf-8")
    return path


def test_tables_from_a_saved_results_file(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ducha(capsys, "scorecard", saved)
    assert out == format_table(scorecard(sample_report().results, "jurisdiction"), "zh")
    assert "\x1b[" not in out  # piped: no colour
    assert err == "未计入：结果文件中 1 份无法使用或未能检查的输入（见该次运行的报告）\n"
    assert code == 0  # that run's unusable input was that run's exit code


def test_by_format_lang_and_colour(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = sample_report().results
    _, out, _ = ducha(capsys, "scorecard", saved, "--by", "department", "--format", "markdown", "--lang", "en")
    assert out == format_markdown(scorecard(results, "department"), "en")
    _, out, err = ducha(capsys, "scorecard", saved, "--format", "json", "--by", "all", "--lang", "en")
    docs = json.loads(out)
    assert [d["by"] for d in docs] == ["jurisdiction", "department", "obligation", "section"]
    assert err == "not counted: 1 unusable or unchecked input of the saved run (see its report)\n"
    _, out, _ = ducha(capsys, "scorecard", saved, "--color", "always")
    assert "\x1b[31m" in out
    _, out, _ = ducha(capsys, "scorecard", saved, "--format", "csv", "--by", "obligation")
    assert out.splitlines()[0] == "义务编号,义务,符合,不符合,合规率,未到期,不适用,已豁免,错误"


def test_straight_from_submissions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_yaml(variant(period="2018Q4", as_of="2018-12-31", remove_docs=("D-WP-T2",)), tmp_path / "in" / "gb.yaml")
    code, out, err = ducha(capsys, "scorecard", tmp_path / "in", "--select", "GG-14", "--lang", "en", "--workers", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Compliance by jurisdiction"
    rows = {line.split()[0]: line.split() for line in lines[3:6]}
    assert rows["450802"][-7:] == ["1", "0", "100.0%", "0", "0", "0", "0"]
    assert rows["450802101"][-7:] == ["0", "1", "0.0%", "0", "0", "0", "0"]


def test_nothing_found_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = ducha(capsys, "scorecard", tmp_path / "empty", "--lang", "en")
    assert code == 2 and "no submission or result was found" in err


def test_unusable_submissions_read_now_make_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    code, out, err = ducha(capsys, "scorecard", tmp_path / "bad.json", "--lang", "en", "--workers", "1")
    assert code == 2
    assert out.splitlines()[0] == "Compliance by jurisdiction"
    assert err.startswith(f"not counted: {(tmp_path / 'bad.json').as_posix()} (JSON syntax error")
