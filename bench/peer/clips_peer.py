"""The three obligations in CLIPS (``obligations.clp``), run through clipspy.

*setup* creates the environment and loads the program; *facts* turns the shared frames into slot
values (one fact per row); *evaluate* resets the environment, sets the globals, asserts the
facts through clipspy's template API (the Rete network matches as they arrive), runs the
agenda and reads the ``verdict`` and ``short`` facts back. (``Environment.load_facts`` on
the same facts as CLIPS text was 7× slower to assert on the county, 1.5 s against 0.2 s for
the patrols: it is not used.) The rules do the relational work themselves (see the
program's header), so CLIPS's *evaluate* covers what ducha does in its aggregate stage.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import clips
import pandas as pd

from .ducha_peer import Timed
from .facts import PeerInput, Verdict, period_order

PROGRAM = Path(__file__).with_name("obligations.clp")


Fact = tuple[str, dict[str, Any]]  # (template, slot values)
NIL = clips.Symbol("nil")


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def _str(v: Any) -> Any:
    """A STRING slot value, or the symbol nil for a missing value."""
    return NIL if _missing(v) else str(v)


def _int(v: Any) -> Any:
    return NIL if _missing(v) else int(v)


def _sym(v: Any) -> clips.Symbol:
    text = str(v)
    if not text or any(c in text for c in ' ()";&|~<>') or text[0] in "?$":
        raise ValueError(f"not a CLIPS symbol: {v!r}")
    return clips.Symbol(text)


def build_facts(inp: PeerInput) -> list[Fact]:
    """Every base fact as (template, slots), from the shared frames."""
    out: list[Fact] = []
    add = out.append
    for level, rank in inp.levels.items():
        add(("level-rank", {"level": _sym(level), "rank": int(rank)}))
    for level, kind in inp.frequency.items():
        add(("frequency", {"level": _sym(level), "kind": _sym(kind)}))
    for kind, label, start, end in inp.periods[["kind", "label", "start", "end"]].itertuples(index=False):
        add(("period", {"kind": _sym(kind), "label": str(label), "start": int(start), "end": int(end)}))
    for code, level, parent in inp.jurisdictions[["code", "level", "parent"]].itertuples(index=False):
        add(("jurisdiction", {"code": str(code), "level": _sym(level), "parent": _str(parent)}))
    for rid, wb, j in inp.reaches[["id", "water_body", "jurisdiction"]].itertuples(index=False):
        add(("reach", {"id": str(rid), "water-body": str(wb), "jurisdiction": str(j)}))
    ch = inp.chiefs[["id", "water_body", "jurisdiction", "level", "appointed", "left"]]
    for cid, wb, j, level, appointed, left in ch.itertuples(index=False):
        add(("chief", {"id": str(cid), "water-body": _str(wb), "jurisdiction": str(j), "level": _sym(level),
                       "appointed": _int(appointed), "left": _int(left)}))
    for kind, issuer, reported in inp.documents[["kind", "issuer", "reported"]].itertuples(index=False):
        add(("document", {"kind": str(kind), "issuer": _str(issuer), "reported": _int(reported)}))
    p = inp.patrols
    for i, (c, d) in enumerate(zip(p["chief"], p["date"])):
        if not _missing(c) and not _missing(d):
            add(("patrol", {"id": i, "chief": str(c), "day": int(d)}))
    return out


class ClipsPeer:
    """One loaded CLIPS environment; :meth:`evaluate` may be called many times."""

    def __init__(self) -> None:
        self.env = clips.Environment()
        self.env.load(str(PROGRAM))

    def evaluate(self, inp: PeerInput, facts: list[Fact]) -> frozenset[Verdict]:
        env = self.env
        env.reset()
        level = _sym(inp.submitter_level)
        quoted = '"' + inp.submitter.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for name, value in (("submitter", quoted), ("submitter-level", level),
                            ("submitter-rank", str(inp.levels[level])), ("as-of", str(inp.as_of)),
                            ("coverage-due", str(inp.coverage_due)), ("deadline-due", str(inp.deadline_due)),
                            ("patrol-min", str(inp.patrol_min))):
            env.eval(f"(bind ?*{name}* {value})")
        templates = {name: env.find_template(name) for name in {name for name, _ in facts}}
        for name, slots in facts:
            templates[name].assert_fact(**slots)
        env.run()
        order = period_order(inp)
        short: dict[str, list[str]] = {}
        for f in env.find_template("short").facts():
            short.setdefault(str(f["chief"]), []).append(str(f["label"]))
        out = set()
        for f in env.find_template("verdict").facts():
            rule, subject, outcome = str(f["rule"]), str(f["subject"]), str(f["outcome"])
            reason = "" if str(f["reason"]) == "nil" else str(f["reason"])
            parts = tuple(sorted(short.get(subject, []), key=order.__getitem__)) if rule == "GG-27" and outcome == "violated" else ()
            out.add(Verdict(rule, subject, outcome, reason, parts))
        return frozenset(out)


def run(inp: PeerInput) -> Timed:
    cpu0, t0 = time.process_time(), time.perf_counter()
    peer = ClipsPeer()
    t1 = time.perf_counter()
    facts = build_facts(inp)
    t2 = time.perf_counter()
    verdicts = peer.evaluate(inp, facts)
    t3 = time.perf_counter()
    return Timed(verdicts, t1 - t0, t2 - t1, t3 - t2, len(facts), cpu_s=time.process_time() - cpu0)
