"""The three obligations written directly for durable_rules 2.0.28, without ducha's compiler.

This is what a careful engineer would write with the engine alone, following
``shared/durable_rules.md`` (section numbers refer to its STUDY.md):

* rules in durable's own DSL (``ruleset``, ``when_all``, ``m``, ``c``, ``none``);
* pandas does what durable cannot (§1: no aggregates, no derived facts in one pass): the
  reach × level subjects of GG-02, the chief × period windows of GG-27 and their patrol counts;
  the engine then matches evidence to subjects, finds what is missing (a negation) and
  compares each window's count with the minimum inside the fact;
* every rule starts with the evaluate fact ``e``, asserted once, last (§3.1); every
  correlated ``$and`` ends with the always-true ``_k`` term (§3.8); no rule refers to ``id`` or
  ``sid``; join keys are strings and dates day numbers (§2.4);
* a Host without its timer thread, facts asserted in batches through the C ``assert_facts``
  and actions dispatched right away (§2.2, §3.5); an always-firing rule, then ``delete_state``
  (§2.2); exceptions in actions kept and re-raised (§3.6); never a retraction (§3.10);
* fact ids whose engine hash (FNV-1a, 32 bits) is unique in their session (§2.1), sessions of
  about 2,000 facts, facts that join in the same session, one live session at a time.
"""
from __future__ import annotations

import json
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

import durable.lang as lang
import durable_rules_engine as dre
import numpy as np
import pandas as pd
from durable import engine as dr_engine
from durable.lang import c, cap, m, none, ruleset, when_all

from .ducha_peer import Timed
from .facts import COVERAGE, COVERAGE_LEVELS, DEADLINE, DEADLINE_LEVELS, PATROL_LEVELS, PATROLS, PeerInput, Verdict, period_order

SESSION_FACTS = 2_000
BATCH = 1_000
CAP = 1_000  # up to this many matches per action call
Hit = tuple[str, dict[str, dict[str, Any]]]


class DurableError(RuntimeError):
    pass


def fnv1a32(text: str) -> int:
    """The engine's fact identity: FNV-1a over the id's UTF-8 bytes (state.c ``fnv1Hash32``),
    which reads them as C ``char``: signed, so a byte from 0x80 up is sign-extended."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ (b | 0xFFFFFF00 if b >= 0x80 else b)) * 0x01000193) & 0xFFFFFFFF
    return h


def assign_ids(facts: list[dict[str, Any]], sid: str) -> None:
    """Ids whose hashes are unique in the session (a clash silently drops a fact, §2.1)."""
    used = {fnv1a32(sid), fnv1a32(f"sid-{sid}")}
    for i, fact in enumerate(facts):
        key, n = f"f{i}", 0
        while fnv1a32(key) in used:
            n += 1
            key = f"f{i}~{n}"
        used.add(fnv1a32(key))
        fact["id"] = key


# --------------------------------------------------------------------------- the rules


def define_rules(name: str, hit: Callable[[str, Any], None]) -> dict[str, Any]:
    """The ruleset as durable's JSON, written with its DSL; ``hit(rule, c)`` collects matches."""
    with ruleset(name):
        @when_all(cap(CAP), c.e << (m.t == "e"))
        def evaluated(closure: Any) -> None:
            hit("evaluated", closure)

        # A subject (GG-02 water body × jurisdiction × level, GG-14 jurisdiction) and its evidence
        # (a chief, a work plan) share a key; the evidence's day is known by as_of (filtered in
        # the facts), and is on time when on or before the subject's due day.
        @when_all(cap(CAP), c.e << (m.t == "e"), c.s << (m.t == "subject"),
                  c.y << ((m.t == "evidence") & (m.key == c.s.key) & (m.day <= c.s.due) & (m._k == c.e._k)))
        def on_time(closure: Any) -> None:
            hit("on_time", closure)

        @when_all(cap(CAP), c.e << (m.t == "e"), c.s << (m.t == "subject"),
                  c.y << ((m.t == "evidence") & (m.key == c.s.key) & (m.day > c.s.due) & (m._k == c.e._k)))
        def late(closure: Any) -> None:
            hit("late", closure)

        @when_all(cap(CAP), c.e << (m.t == "e"), c.s << (m.t == "subject"),
                  none((m.t == "evidence") & (m.key == c.s.key) & (m._k == c.e._k)))
        def missing(closure: Any) -> None:
            hit("missing", closure)

        # GG-27: a window's patrol count against the minimum, both in the one fact (§1).
        @when_all(cap(CAP), c.e << (m.t == "e"), c.w << ((m.t == "window") & (m.n < m.min)))
        def too_few(closure: Any) -> None:
            hit("too_few", closure)

        @when_all(cap(CAP), c.e << (m.t == "e"), c.w << ((m.t == "window") & (m.n >= m.min)))
        def enough(closure: Any) -> None:
            hit("enough", closure)
    # ``ruleset(...)`` registers itself for durable's global host (whose timer threads, §3.5,
    # we never start): take it out, so only our own host ever sees the definition.
    _, definition = lang._rulesets.pop(name).define()
    return definition  # type: ignore[no-any-return]


class _QuietHost(dr_engine.Host):
    """A Host whose timer thread never starts: actions run only when dispatched (§3.5)."""

    def _run(self) -> None:
        return None


class Engine:
    def __init__(self, name: str = "gg_plain") -> None:
        self._hits: list[Hit] = []
        self._errors: list[BaseException] = []
        definition = define_rules(name, self._hit)
        self.host = _QuietHost()
        self.host.register_rulesets({name: definition})
        self.rs = self.host.get_ruleset(name)
        self._n = 0

    def _hit(self, rule: str, closure: Any) -> None:
        try:  # an exception here would vanish into the session state (§3.6)
            for frame in closure.m:
                self._hits.append((rule, {k: dict(getattr(v, "_d", v)) for k, v in frame._d.items()}))
        except BaseException as e:  # noqa: BLE001 - re-raised after dispatch
            self._errors.append(e)

    def _assert(self, payload: str, many: bool) -> None:
        code, offset = (dre.assert_facts if many else dre.assert_fact)(self.rs._handle, payload)
        if code not in (0, 1):  # 1: a fact no rule matched, which is fine
            raise DurableError(f"assert returned {code}")
        errors: list[BaseException] = []
        self.rs.do_actions(offset, lambda e, _state: errors.append(e) if e else None)
        if errors or self._errors:
            raise DurableError(f"action failed: {(errors or self._errors)[0]!r}")

    def session(self, facts: list[dict[str, Any]]) -> list[Hit]:
        """Assert ``facts`` then the evaluate fact in a fresh session; return the matches."""
        self._n += 1
        sid = f"s{self._n}"
        batch = [dict(f, sid=sid, _k=1) for f in facts]
        ev = {"t": "e", "sid": sid, "_k": 1}
        assign_ids(batch + [ev], sid)
        self._hits, self._errors = [], []
        payloads = [json.dumps(f, ensure_ascii=False) for f in batch]  # str and int values only
        for i in range(0, len(payloads), BATCH):
            self._assert("[" + ",".join(payloads[i:i + BATCH]) + "]", True)
        self._assert(json.dumps(ev), False)
        hits = self._hits
        if not any(r == "evaluated" for r, _ in hits):
            raise DurableError("the evaluate fact was not seen; session left in place")  # deleting would crash (§2.2)
        dre.delete_state(self.rs._handle, sid)
        return [h for h in hits if h[0] != "evaluated"]


# --------------------------------------------------------------------------- facts (pandas)


def ancestors(j: pd.DataFrame) -> pd.DataFrame:
    """(code, level, at): ``code`` lies in ``at``, a jurisdiction of ``level`` (itself included)."""
    level = dict(zip(j["code"], j["level"]))
    parent = dict(zip(j["code"], j["parent"]))
    rows = []
    for code in j["code"]:
        cur, seen = code, set()
        while isinstance(cur, str) and cur in level and cur not in seen:
            seen.add(cur)
            rows.append((code, level[cur], cur))
            cur = parent.get(cur)
    return pd.DataFrame(rows, columns=["code", "level", "at"])


def _coverage(inp: PeerInput, anc: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rank = inp.levels
    r = inp.reaches.dropna(subset=["water_body", "jurisdiction"])
    own = dict(zip(inp.jurisdictions["code"], inp.jurisdictions["level"].map(rank)))
    r = r.assign(own=r["jurisdiction"].map(own)).dropna(subset=["own"])
    s = r.merge(anc[anc["level"].isin(COVERAGE_LEVELS)], left_on="jurisdiction", right_on="code")
    lv = s["level"].map(rank)
    s = s[(lv <= s["own"]) & (lv >= rank[inp.submitter_level])]
    keys = (s["water_body"].astype(str) + "@" + s["at"] + "@" + s["level"]).drop_duplicates()
    ch = inp.chiefs.dropna(subset=["water_body", "jurisdiction", "level", "appointed"])
    ch = ch[ch["appointed"] <= inp.as_of]
    ev = pd.DataFrame({"key": ch["water_body"].astype(str) + "@" + ch["jurisdiction"] + "@" + ch["level"],
                       "day": ch["appointed"].astype("int64")})
    return pd.DataFrame({"key": keys.to_numpy()}), ev


def _deadline(inp: PeerInput, anc: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    mine = set(anc[(anc["level"] == inp.submitter_level) & (anc["at"] == inp.submitter)]["code"])
    j = inp.jurisdictions
    subjects = j[j["level"].isin(DEADLINE_LEVELS) & j["code"].isin(mine)]
    d = inp.documents
    d = d[(d["kind"] == "work_plan") & d["issuer"].notna() & d["reported"].notna()]
    d = d[d["reported"] <= inp.as_of]
    return (pd.DataFrame({"key": subjects["code"].to_numpy()}),
            pd.DataFrame({"key": d["issuer"].to_numpy(), "day": d["reported"].astype("int64").to_numpy()}))


def patrol_subjects(inp: PeerInput, anc: pd.DataFrame) -> pd.DataFrame:
    mine = set(anc[(anc["level"] == inp.submitter_level) & (anc["at"] == inp.submitter)]["code"])
    ch = inp.chiefs
    return ch[ch["level"].isin(PATROL_LEVELS) & ch["jurisdiction"].isin(mine)]


def windows(inp: PeerInput, subjects: pd.DataFrame) -> pd.DataFrame:
    """(chief, label, n): every period of the chief's frequency held whole, with its patrol count."""
    freq = pd.DataFrame(list(inp.frequency.items()), columns=["level", "kind"])
    w = subjects[["id", "level", "appointed", "left"]].merge(freq, on="level").merge(inp.periods, on="kind")
    held = (w["appointed"].isna() | (w["appointed"] <= w["start"])) & (w["left"].isna() | (w["left"] >= w["end"]))
    w = w[held.to_numpy(dtype=bool)].rename(columns={"id": "chief"})
    p = inp.patrols.dropna()
    p = p[p["date"] <= inp.as_of]
    hits = w[["chief", "label", "start", "end"]].merge(p, on="chief")
    hits = hits[(hits["date"] >= hits["start"]) & (hits["date"] <= hits["end"])]
    n = hits.groupby(["chief", "label"]).size().rename("n")
    w = w.merge(n, left_on=["chief", "label"], right_index=True, how="left")
    w["n"] = w["n"].fillna(0).astype("int64")
    return w[["chief", "label", "n"]].reset_index(drop=True)


@dataclass(frozen=True)
class Facts:
    sessions: list[list[dict[str, Any]]]
    chiefs: list[tuple[str, str]]  # GG-27's subjects: (chief id, level)


def build_facts(inp: PeerInput) -> Facts:
    """Every fact, partitioned into sessions; facts that join share a key, hence a session."""
    anc = ancestors(inp.jurisdictions)
    chiefs = patrol_subjects(inp, anc)
    facts: list[dict[str, Any]] = []
    for rule, (subjects, evidence), due in ((COVERAGE, _coverage(inp, anc), inp.coverage_due),
                                            (DEADLINE, _deadline(inp, anc), inp.deadline_due)):
        facts += [{"t": "subject", "key": f"{rule}|{k}", "due": due} for k in subjects["key"]]
        facts += [{"t": "evidence", "key": f"{rule}|{k}", "day": int(d)} for k, d in zip(evidence["key"], evidence["day"])]
    w = windows(inp, chiefs)
    facts += [{"t": "window", "key": f"{PATROLS}|{ch}|{lab}", "n": int(n), "min": inp.patrol_min}
              for ch, lab, n in zip(w["chief"], w["label"], w["n"])]
    k = max(1, -(-len(facts) // SESSION_FACTS))
    bucket = np.fromiter((zlib.crc32(f["key"].encode("utf-8")) % k for f in facts), dtype=np.int64, count=len(facts))
    return Facts([[f for f, b in zip(facts, bucket) if b == i] for i in range(k)],
                 list(zip(chiefs["id"].astype(str), chiefs["level"].astype(str))))


# --------------------------------------------------------------------------- verdicts


def verdicts(inp: PeerInput, facts: Facts, hits: list[Hit]) -> frozenset[Verdict]:
    tags: dict[str, set[str]] = defaultdict(set)
    for rule, frame in hits:
        fact = frame.get("s") or frame["w"]
        tags[fact["key"]].add(rule)
    out: set[Verdict] = set()
    short: dict[str, list[str]] = defaultdict(list)
    has_window: set[str] = set()
    for session in facts.sessions:
        for f in session:
            if f["t"] == "evidence":
                continue
            key, t = f["key"], tags.get(f["key"], set())
            rule, _, rest = key.partition("|")
            if f["t"] == "window":
                chief, _, label = rest.partition("|")
                if t not in ({"too_few"}, {"enough"}):
                    raise DurableError(f"window {key}: the engine said {sorted(t)}")
                has_window.add(chief)
                if "too_few" in t:
                    short[chief].append(label)
                continue
            if "on_time" in t:
                out.add(Verdict(rule, rest, "passed", ""))
            elif "late" in t:
                out.add(Verdict(rule, rest, "violated", "late"))
            elif "missing" in t:
                due = f["due"] > inp.as_of
                out.add(Verdict(rule, rest, "pending" if due else "violated", "not_due" if due else "missing"))
            else:
                raise DurableError(f"subject {key}: the engine said nothing")  # never a silent pass
    order = period_order(inp)
    for chief, level in facts.chiefs:
        if chief in short:
            out.add(Verdict(PATROLS, chief, "violated", "too_few", tuple(sorted(short[chief], key=order.__getitem__))))
        elif chief in has_window:
            out.add(Verdict(PATROLS, chief, "passed", ""))
        else:
            out.add(Verdict(PATROLS, chief, "not_applicable", "no_periods" if level in inp.frequency else "not_configured"))
    return frozenset(out)


def run(inp: PeerInput, engine: Engine | None = None) -> Timed:
    cpu0, t0 = time.process_time(), time.perf_counter()
    engine = engine or Engine()
    t1 = time.perf_counter()
    facts = build_facts(inp)
    t2 = time.perf_counter()
    hits: list[Hit] = []
    for session in facts.sessions:
        hits += engine.session(session)
    out = verdicts(inp, facts, hits)
    t3 = time.perf_counter()
    return Timed(out, t1 - t0, t2 - t1, t3 - t2, sum(len(s) + 1 for s in facts.sessions),
                 cpu_s=time.process_time() - cpu0)
