"""The one place failures become exit codes.

====  =====================================================================
exit  meaning
====  =====================================================================
0     no finding at or above ``--fail-on``
1     findings at or above ``--fail-on`` (the submission fails the rules)
2     unusable input or rules, or a wrong command line (InputError, RuleError, usage)
3     ducha itself failed (a bug): a short bilingual message, traceback with ``--debug``
====  =====================================================================
"""
from __future__ import annotations

import sys
import traceback
from typing import Callable

from .common import UsageError, tell

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3
REPORT_TO_ZH = "ducha 项目的问题跟踪（issues）"
REPORT_TO_EN = "the ducha project's issue tracker"

EXIT_CODES_HELP = """\
退出码 / exit codes:
  0  没有达到 --fail-on 级别的结果 / no findings at or above --fail-on
  1  有达到 --fail-on 级别的结果 / findings at or above --fail-on
  2  输入、规则或命令行无法使用 / unusable input, rules or command line
  3  ducha 内部错误（请报告）/ internal error in ducha (please report it)
"""


def internal_error_lines(exc_text: str) -> list[str]:
    """The bilingual message for a bug in ducha (both languages: whoever reads it reports it)."""
    return [
        f"ducha 内部错误：{exc_text}",
        f"ducha internal error: {exc_text}",
        f"这是 ducha 的缺陷，不是数据的问题。请把命令、输入文件和加 --debug 重新运行的输出报告到{REPORT_TO_ZH}。",
        f"This is a bug in ducha, not a problem with your data. Please report the command, the input and "
        f"the output of a run with --debug to {REPORT_TO_EN}.",
    ]


def guarded(fn: Callable[[], int], *, lang: str = "zh", debug: bool = False) -> int:
    """Run a command; map what escapes it to an exit code and a message on stderr."""
    from ..errors import InputError, RuleError
    err = sys.stderr
    try:
        return fn()
    except UsageError as e:
        tell(f"ducha: {e.message(lang)}", err)
        return EXIT_UNUSABLE
    except InputError as e:
        print("ducha: " + ("input unusable:" if lang == "en" else "输入无法使用："), file=err)
        for p in e.problems:
            tell(f"  {p.code} {p.location}: {p.message(lang)}", err)
        return EXIT_UNUSABLE
    except RuleError as e:
        print("ducha: " + ("rules unusable:" if lang == "en" else "规则无法使用："), file=err)
        for line in e.problems:
            tell(f"  {line}", err)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("ducha: 已中断 / interrupted", file=err)
        return 130
    except BrokenPipeError:
        # The reader went away (| head). Point stdout at devnull so the interpreter's
        # final flush does not raise a second time.
        import os
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FINDINGS
    except Exception as e:  # noqa: BLE001 - the crash handler is the one place that catches all
        for line in internal_error_lines(f"{type(e).__name__}: {e}"):
            tell(line, err)
        if debug:
            traceback.print_exc(file=err)
        return EXIT_INTERNAL
