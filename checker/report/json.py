"""``json``: the machine contract (``ducha-results/1``).

Every result with every outcome (passes included), problems for unusable inputs, the run's
options (as_of, params, selection), the ducha and data-contract versions, notices and the
summary. Findings a baseline suppresses stay in, flagged ``suppressed_by_baseline``, so this
file can be the next run's baseline. Re-read with :func:`checker.report.base.read_results`.
"""
from __future__ import annotations

import json

from .base import RenderOptions, Report

NAME = "json"
BINARY = False


def render(report: Report, options: RenderOptions) -> str:
    # Both languages are in the data (message_zh/message_en); options.lang does not apply.
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
