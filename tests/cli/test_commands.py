"""Every command in-process (fast): the exact text a user sees, exit codes, error paths."""
from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main as cli_main
from checker.cli.common import use_color
from tests.report.scenario import DATA, REPO, RULES, WAIVERS

OK = f"{DATA}/county-ok.yaml"
LAPSES = f"{DATA}/county-lapses.yaml"
INVALID = f"{DATA}/county-invalid.yaml"


@pytest.fixture(autouse=True)
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("NO_COLOR", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_main.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------- wiring

def test_every_command_is_wired(capsys: pytest.CaptureFixture[str]) -> None:
    """Each command module has the contract, and its --help works (pre-commit's test)."""
    for name in cli_main.COMMANDS:
        mod = cli_main.command(name)
        assert isinstance(mod.HELP, str) and "/ " in mod.HELP, name  # bilingual one-liner
        assert callable(mod.configure) and callable(mod.run)
        with pytest.raises(SystemExit) as e:
            cli_main.main([name, "--help"])
        assert e.value.code == 0
        assert "--lang" in capsys.readouterr().out or getattr(mod, "NESTED", False)
    for leaf in (["rules", "list"], ["rules", "show", "X"], ["rules", "coverage"], ["rules", "lint"],
                 ["rules", "import-table", "x", "--out", "y", "--ref-prefix", "p", "--document", "d"],
                 ["waivers", "lint", "x"]):
        with pytest.raises(SystemExit) as e:
            cli_main.main([*leaf, "--help"])
        assert e.value.code == 0 and "--lang" in capsys.readouterr().out


def test_usage_errors_exit_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["check", OK, "--format", "pdf"], "未知的输出格式“pdf”"),
        (["check", OK, "--format", "json:"], "缺少路径"),
        (["check", OK, "--format", "json", "--format", "sarif"], "最多一个输出格式可写到标准输出"),
        (["check", OK, "--show", "violated,bogus"], "--show 的取值未知：bogus"),
        (["check", OK, "--param", "due"], "--param 应写作 NAME=VALUE"),
        (["check", OK, "--param", "due=2018-02-30"], "--param due 的值无效"),
        (["check", OK, "--rules", RULES, "--param", "GG-14.nope=1"], "--param GG-14.nope：未知参数"),
        (["check", OK, "--rules", RULES, "--select", "GG-99"], "--select GG-99：没有匹配的规则或义务"),
        (["check", OK, "--rules", RULES, "--pack", "nope"], "no such rule pack 'nope'"),
    ]
    for args, message in cases:
        code, out, err = run(capsys, *args)
        assert code == 2, args
        assert message in err, (args, err)


def test_a_bad_params_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for text, message in (("due: 2018-02-30\n", "参数文件中有无效的值"), ("[1, 2]\n", "参数文件应为“名称: 值”的映射"),
                          ("a: [\n", "参数文件无法读取")):
        f = tmp_path / "p.yaml"
        f.write_text(text, encoding="utf-8")
        code, out, err = run(capsys, "check", OK, "--params", str(f))
        assert code == 2 and f"E-PARAMS {f}: {message}" in err, err


def test_argparse_errors_also_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli_main.main(["check", OK, "--as-of", "2018-02-30"])
    assert e.value.code == 2 and "not a valid date" in capsys.readouterr().err


# ---------------------------------------------------------------------------- check

def test_check_params_select_and_as_of(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Moving GG-14's due date past the late report turns the violation into a pass.
    code, out, _ = run(capsys, "check", LAPSES, "--rules", RULES, "--select", "GG-14", "--param",
                       "GG-14.work_plan_due=2018-01-31", "--lang", "en")
    assert code == 0 and out.splitlines()[-1] == "1 file: 0 violated, 0 pending, 0 not applicable, 3 passed, 0 waived"
    params = tmp_path / "params.yaml"
    params.write_text("frequency: {city: quarter, county: quarter, township: quarter, village: quarter}\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", LAPSES, "--rules", RULES, "--select", "GG-27", "--params", str(params))
    # (王芳 took office mid-quarter: no whole quarter to count, so not applicable)
    assert code == 0 and out.splitlines()[-1] == "1 个文件，违反 0，未到期 0，不适用 1，通过 1，豁免 0"
    # Evaluated before the due dates: nothing is violated yet, everything is pending.
    code, out, _ = run(capsys, "check", LAPSES, "--rules", RULES, "--exclude", "GG-27", "--as-of", "2017-10-01")
    assert code == 0 and out.splitlines()[-1] == "1 个文件，违反 0，未到期 6，不适用 0，通过 0，豁免 0"


def test_check_reports_a_missing_file_as_unusable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "no/such.yaml", "--rules", RULES, "--lang", "en")
    assert code == 2
    assert "E-NOT-FOUND no/such.yaml: no such file or folder" in out


def test_a_crash_on_one_input_is_exit_3_and_reported(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.run as run_mod

    def boom(self: object, p: Path, shown: str) -> object:
        raise RuntimeError("kaboom")
    monkeypatch.setattr(run_mod.Runner, "_run", boom)
    code, out, err = run(capsys, "check", OK, "--rules", RULES)
    assert code == 3
    assert "RuntimeError: kaboom" in out and "Traceback" not in out + err
    assert "ducha 内部错误" in err and "ducha internal error" in err and "issue tracker" in err
    code, out, err = run(capsys, "check", OK, "--rules", RULES, "--debug")
    assert code == 3 and "Traceback" in out  # the traceback travels with the result under --debug


def test_a_crash_in_a_command_is_exit_3_traceback_only_with_debug(capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import checker.cli.check as check_mod

    def boom(*_: object) -> int:
        raise ValueError("internal")
    monkeypatch.setattr(check_mod, "build_report", boom)
    code, out, err = run(capsys, "check", OK)
    assert code == 3 and out == "" and "ValueError: internal" in err and "Traceback" not in err
    code, out, err = run(capsys, "check", OK, "--debug")
    assert code == 3 and "Traceback (most recent call last)" in err


def test_colour_rules() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True
    assert use_color("auto", Tty()) is True
    assert use_color("auto", io.StringIO()) is False
    assert use_color("never", Tty()) is False


def test_no_color_disables_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Tty()) is False
    assert use_color("always", Tty()) is True  # an explicit flag wins (no-color.org)


def test_waiver_file_problems_stop_the_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("- {obligation: GG-14, subject: '1', reason: r, approver: a, expires: 2019-02-30}\n", encoding="utf-8")
    code, out, err = run(capsys, "check", OK, "--rules", RULES, "--waivers", str(bad), "--lang", "en")
    assert code == 2 and out == ""
    assert f"E-WAIVER-DATE {bad}#/0/expires: expires is not a valid date" in err


# ---------------------------------------------------------------------------- validate

def test_validate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", OK, INVALID)
    assert code == 2
    assert out.splitlines() == [
        f"{OK}：可以使用（GG-450802-2018Q4，guigang-river-chief，2018Q4，截至 2018-12-31，18 条记录）",
        f"{INVALID}：无法使用，3 个问题",
        f"  E-DATE {INVALID}#/documents/0/issued：日期“2017-13-20”无效：日期不存在 [2017-13-20]",
        out.splitlines()[3],
        f"  E-DANGLING-REF {INVALID}#/documents/2/issuer：“印发单位”引用了不存在的行政区“450899” [450899]",
        "2 个文件，可以使用 1，无法使用 1",
    ]
    assert out.splitlines()[3].startswith(f"  E-ENUM {INVALID}#/documents/1/kind：取值“memo”")
    code, out, _ = run(capsys, "validate", OK, "--lang", "en")
    assert code == 0 and out.splitlines()[-1] == "1 file: 1 usable, 0 unusable"


# ---------------------------------------------------------------------------- explain

def test_explain_a_rule(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cat = tmp_path / "obligations.md"
    cat.write_text(CATALOGUE.replace("| work plans |", "| Each county and township issues its work plan. |")
                   .format(extra="| GG-03 | 一(三)2 | supporting systems | city, county | 2018-06-30 |"), encoding="utf-8")
    code, out, _ = run(capsys, "explain", "GG-14", "--rules", RULES, "--catalogue", str(cat))
    assert code == 0
    assert "原文：“各县(市、区)、乡镇(街道办)要结合本地实际于2017年12月底前研究制定具体工作方案" in out
    assert "    work_plan_due = 2017-12-31" in out and "类型：deadline" in out
    assert "目录 GG-14 [五(一)]：Each county and township" in out  # the catalogue's statement
    code, out, _ = run(capsys, "explain", "GG-03", "--rules", RULES, "--catalogue", str(cat))
    assert code == 0 and "尚无规则实现此义务（guigang-river-chief）" in out
    code, _, err = run(capsys, "explain", "GG-99", "--rules", RULES, "--catalogue", str(cat))
    assert code == 2 and "GG-99" in err


def test_explain_a_finding_from_results_or_from_the_submission(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    assert run(capsys, "check", LAPSES, "--rules", RULES, "--format", f"json:{results}")[0] == 1
    fp = next(f["fingerprint"] for f in json.loads(results.read_text(encoding="utf-8"))["results"][0]["findings"]
              if f["rule"] == "GG-14" and f["subject_id"] == "450802")
    code, out, _ = run(capsys, "explain", fp[:8], "--results", str(results))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{fp}  GG-14 · 港北区 (jurisdiction 450802) · GG-450802-2018Q4"
    assert "  结果：违反 (逾期) · 严重程度：error" in lines
    i = lines.index(f"    {LAPSES}#/documents/0")
    assert lines[i + 1] == ('      {"id": "D-WP-C", "kind": "work_plan", "title": "港北区全面推行河长制工作方案", '
                            '"issuer": "450802", "issued": "2017-11-20", "reported_to": "市委市政府", "reported": "2018-01-05"}')
    code, out2, _ = run(capsys, "explain", fp, LAPSES, "--rules", RULES)
    assert code == 0 and out2 == out
    assert run(capsys, "explain", "abcdef0123", "--results", str(results))[0] == 2
    assert run(capsys, "explain", fp)[0] == 2  # a fingerprint needs somewhere to look


def test_explain_reads_records_of_csv_folders(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "2c79802847f1f729", f"{DATA}/county-csv", "--rules", RULES, "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    i = lines.index(f"    {DATA}/county-csv[documents.csv] 行/row 2")
    assert '"id": "D-WP-C"' in lines[i + 1] and '"reported": "2018-01-05"' in lines[i + 1]


# ---------------------------------------------------------------------------- rules

def test_rules_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--rules", RULES)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "guigang-river-chief（3 条规则）"
    assert lines[3].split()[:6] == ["GG-27", "cardinality", "error", "(county:", "warning)", "city,"]
    assert lines[3].endswith("河长按频次巡河并记录")


def test_rules_show_prints_the_patrol_frequency_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "GG-27", "--rules", RULES, "--lang", "en")
    assert code == 0
    assert "    frequency (default):\n      city: quarter\n      county: month\n      township: xun\n      village: week\n" in out
    assert "      source: the plan names no frequency" in out


def test_rules_show_gg27_of_the_real_pack(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.rulefile import RULES_DIR
    if not (RULES_DIR / "guigang-river-chief" / "GG-27.yaml").exists():
        pytest.skip("the real GG-27 rule is not written yet")
    code, out, _ = run(capsys, "rules", "show", "GG-27")
    assert code == 0
    for level, every in (("city", "quarter"), ("county", "month"), ("township", "xun"), ("village", "week")):
        assert f"      {level}: {every}\n" in out


def _pack_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(REPO / RULES, root)
    cn = root / "changning-biodiversity"
    cn.mkdir()
    text = (root / "guigang-river-chief" / "GG-14.yaml").read_text(encoding="utf-8")
    text = (text.replace("id: GG-14", "id: CN-TX").replace("obligations: [GG-14]", "obligations: [CN-T01, CN-T02]")
            .replace("document: guigang-river-chief", "document: changning-biodiversity"))
    (cn / "CN-TX.yaml").write_text(text, encoding="utf-8")
    return root


CATALOGUE = """\
| `guigang-river-chief` (IDs `GG-*`) | a.txt | 贵港 |
| `changning-biodiversity` (IDs `CN-*`) | b.txt | 长宁 |

| ID | source | obligation | applies to | due |
|---|---|---|---|---|
| GG-14 | 五(一) | work plans | county | 2017-12-31 |
| GG-15 | 五(一) | systems | county | 2018-03-31 |
{extra}
| row | table section | time node | lead units | opening words |
|---|---|---|---|---|
| T01 | 一(一) | 2023年 | 区生态环境局 | 结合… |
| T02 | 一(二) | 2025年 | 区生态环境局 | 坚持… |
"""


def test_rules_coverage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = _pack_copy(tmp_path)
    fixtures = tmp_path / "fixtures" / "guigang-river-chief"
    fixtures.mkdir(parents=True)
    (fixtures / "GG-14.yaml").write_text("rule: GG-14\ncases: [{name: a}, {name: b}]\n", encoding="utf-8")
    cat = tmp_path / "obligations.md"
    cat.write_text(CATALOGUE.format(extra="| GG-27 | 二(四) | patrols | all | quarterly |"), encoding="utf-8")
    args = ["rules", "coverage", "--rules", str(root), "--catalogue", str(cat), "--fixtures", str(tmp_path / "fixtures")]
    code, out, _ = run(capsys, *args, "--lang", "en")
    assert code == 0, out
    assert f"  GG-14  GG-14 (2 cases: {fixtures / 'GG-14.yaml'})" in out.splitlines()
    assert "  CN-T01  CN-TX (no fixture cases)" in out.splitlines()
    cat.write_text(CATALOGUE.format(extra="| GG-16 | 四(二) | seven systems | city | 2018-03-31 |"), encoding="utf-8")
    code, out, _ = run(capsys, *args)
    assert code == 1
    assert "  GG-16  未覆盖" in out.splitlines() and out.splitlines()[-1] == "未覆盖 1 个：GG-16"
    assert "  目录中没有的编号：GG-27" in out.splitlines()
    code, out, _ = run(capsys, *args, "--pack", "changning-biodiversity")
    assert code == 0 and "GG-16" not in out


def test_explain_reads_the_real_catalogue_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli.catalogue import default_path
    if not default_path().exists():
        pytest.skip("shared/obligations.md is not beside the repository")
    code, out, _ = run(capsys, "explain", "GG-14", "--rules", RULES)
    assert code == 0
    assert "目录 GG-14 [五(一)]：Each county and township" in out  # the catalogue's statement


def test_rules_coverage_against_the_real_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    """The test pack covers three of 27 Guigang IDs: the real catalogue is read and judged."""
    from checker.cli.catalogue import default_path
    if not default_path().exists():
        pytest.skip("shared/obligations.md is not beside the repository")
    code, out, _ = run(capsys, "rules", "coverage", "--rules", RULES, "--pack", "guigang-river-chief")
    assert code == 1
    assert out.splitlines()[0] == "guigang-river-chief：27 个编号，已覆盖 3，未覆盖 24"


def test_rules_lint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "rules", "lint", "--rules", RULES)
    assert code == 0 and out.splitlines()[-1] == "3 个规则文件，错误 0，警告 0"
    root = _pack_copy(tmp_path)
    gg = root / "guigang-river-chief"
    (gg / "GG-15.yaml").write_text((gg / "GG-15.yaml").read_text(encoding="utf-8")
                                   .replace("{subject}应于", "{subjekt}应于").replace("severity: warning", "severity: fatal"),
                                   encoding="utf-8")
    (gg / "GG-27.yaml").write_text((gg / "GG-27.yaml").read_text(encoding="utf-8")
                                   .replace("{subject}巡河", "{subjekt}巡河")
                                   .replace("document: guigang-river-chief", "document: elsewhere"), encoding="utf-8")
    code, out, _ = run(capsys, "rules", "lint", "--rules", str(root), "--lang", "en")
    assert code == 2
    lines = out.splitlines()
    assert f"error {gg / 'GG-15.yaml'}: /severity: Input should be 'error', 'warning' or 'info'" in lines
    assert f"error {gg / 'GG-27.yaml'}: /source/document: 'elsewhere' is not the pack 'guigang-river-chief'" in lines
    assert any(x.startswith(f"error {gg / 'GG-27.yaml'}: /message/zh: unknown field {{subjekt}}") for x in lines)
    assert lines[-1].startswith("4 rule files: 3 errors")


def test_rules_import_table_reproduces_the_committed_task_table(capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    pack = REPO / "rules" / "changning-biodiversity"
    src = pack / "source" / "responsibility_table.csv"
    if not src.exists():
        pytest.skip("no responsibility table in the repository")
    (tmp_path / "source").mkdir()
    shutil.copy(src, tmp_path / "source" / src.name)
    out_file = tmp_path / "tasks.yaml"
    code, out, _ = run(capsys, "rules", "import-table", str(tmp_path / "source" / src.name), "--out", str(out_file),
                       "--ref-prefix", "CN-T", "--document", "changning-biodiversity")
    assert code == 0 and out.strip() == f"已写入 {out_file}（46 行）"
    assert out_file.read_bytes() == (pack / "tasks.yaml").read_bytes()


def test_rules_import_table_reports_bad_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("序号,具体内容,时间节点,牵头部门\n1,任务一,2025年,区生态环境局\n2,任务二,明年,区绿化市容局\n3,,持续推进,区建管委\n",
                   encoding="utf-8")
    out_file = tmp_path / "tasks.yaml"
    code, out, _ = run(capsys, "rules", "import-table", str(src), "--out", str(out_file), "--ref-prefix", "CN-T",
                       "--document", "x", "--lang", "en")
    assert code == 2 and not out_file.exists()
    lines = out.splitlines()
    assert lines[0].startswith(f"{src} row 3 column 时间节点: unrecognised time node '明年'")
    assert lines[1] == f"{src} row 4 column 具体内容: text is empty"
    assert lines[-1] == f"2 problems; {out_file} not written"


# ---------------------------------------------------------------------------- schema, waivers

def test_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out)["$id"].endswith("submission-1.0.schema.json")
    code, out, _ = run(capsys, "schema", "rule")
    assert code == 0 and "ducha-rule/1" in json.loads(out)["title"]
    code, out, _ = run(capsys, "schema", "--write", str(tmp_path))
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["rule.schema.json", "submission.schema.json"]


def test_waivers_lint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "waivers", "lint", WAIVERS, "--rules", RULES, "--as-of", "2018-12-31", "--lang", "en")
    assert code == 0
    assert out.splitlines() == [
        f"warning W-WAIVER-EXPIRED {WAIVERS}#/waivers/1/expires: expired on 2018-06-30 (as of 2018-12-31)",
        f"{WAIVERS}: 3 waivers, 0 errors, 1 warning"]
    bad = tmp_path / "w.yaml"
    bad.write_text("waivers:\n"
                   "  - {obligation: GG-99, subject: '1', reason: r, approver: a, expires: 2019-01-01}\n"
                   "  - {obligation: GG-14, subject: '1', reason: r, expires: 2019-13-01, colour: red}\n"
                   "  - {obligation: GG-14, subject: '2', reason: r, approver: a, expires: 2019-01-01}\n"
                   "  - {obligation: GG-14, subject: '2', reason: r, approver: a, expires: 2020-01-01}\n",
                   encoding="utf-8")
    code, out, _ = run(capsys, "waivers", "lint", str(bad), "--rules", RULES, "--lang", "en")
    assert code == 2
    codes = [line.split()[1] + " " + line.split()[2].split("#")[1].rstrip(":") for line in out.splitlines()[:-1]]
    assert sorted(codes) == sorted(["E-WAIVER-ID /waivers/0/obligation", "E-WAIVER-FIELD /waivers/1/colour",
                                    "E-WAIVER-MISSING /waivers/1/approver", "E-WAIVER-DATE /waivers/1/expires",
                                    "E-WAIVER-DUP /waivers/3"])


def test_check_options_are_typed_data() -> None:
    """`options_from` is the one place arguments become typed options (batch reuses it)."""
    from checker.cli.check import CheckOptions, options_from
    ns = cli_main.build_parser().parse_args(["check", OK, "--select", "GG-1*,GG-27", "--format", "sarif:o.sarif"])
    o = options_from(ns)
    assert isinstance(o, CheckOptions) and o.select == ("GG-1*", "GG-27")
    assert o.outputs == (("sarif", Path("o.sarif")),) and isinstance(ns, argparse.Namespace)


def test_binary_formats_are_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from checker.report import WRITERS, get_writer
    binary = [name for name in WRITERS if get_writer(name).BINARY]
    if not binary:
        pytest.skip("no binary output format is registered")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True
    monkeypatch.setattr("sys.stdout", Tty())
    code = cli_main.main(["check", OK, "--rules", RULES, "--format", binary[0]])
    assert code == 2 and f"--format {binary[0]}:PATH" in capsys.readouterr().err
