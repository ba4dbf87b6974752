"""The durable_rules adapter: the only module of ducha that imports durable_rules.

durable_rules 2.0.28 is unmaintained and, used the obvious way, drops facts, fires negations
it should not, and crashes (``shared/durable_rules.md``). This adapter is the recipe made
code; each guard below names the hazard it answers, and ``tests/test_engine_hazards.py``
re-creates every hazard so that removing a guard fails a test.

Contract: :class:`Ruleset` takes compiled rules as plain dicts (from :mod:`checker.kinds`),
checks them against the engine's limits *before* creating anything, and
:meth:`Ruleset.evaluate` runs one session: facts asserted in batches, then the evaluate fact,
actions dispatched synchronously, matches returned, session deleted. One live session at a
time; no background threads; no retraction.
"""
from __future__ import annotations

import ctypes
import itertools
import json
import math
import os
from typing import Any, Container, Iterable, NamedTuple, cast

import durable_rules_engine as _dre

# Engine limits (STUDY.md §1, §2.3). We stay strictly inside them.
MAX_PATTERNS_PER_RULE = 16
MAX_RULES_PER_PATTERN = 256
MAX_CONSTANTS_PER_PROPERTY = 512
MAX_PROPERTIES = 250
MAX_FACTS_PER_SESSION = 20_000  # collision-safe after re-keying; throughput falls beyond ~2.5k
BATCH = 1_000
CAP = 1_000  # actions receive up to CAP matches per call (§4: 2–3x faster evaluation)
# Asserting costs more per fact the more facts the session holds (measured: ~2 µs a fact at
# 250, ~7 µs at 2,000, ~13 µs at 4,000), so facts that can never match together are
# evaluated in sessions of at most this many (see independent_facts).
SPLIT = 500
ALWAYS_RULE = "__evaluated__"

RESULT_OK, RESULT_NOT_HANDLED = 0, 1


class EngineError(Exception):
    """The engine failed or was about to be misused: a fault of ducha or its rules, never of the input."""


# --------------------------------------------------------------------------- fact identity

_lib = ctypes.CDLL(_dre.__file__)
_fnv = _lib.fnv1Hash32
_fnv.restype, _fnv.argtypes = ctypes.c_uint, [ctypes.c_char_p, ctypes.c_uint]


def fnv1a32(text: str) -> int:
    """The engine's own 32-bit hash of a fact id (state.c ``fnv1Hash32``)."""
    b = text.encode("utf-8")
    return int(_fnv(b, len(b)))


# The assignment for a session whose own hashes clash with nothing, computed once per process:
# key i, and the position of the key with each accepted hash.
_ID_KEYS: list[str] = []
_ID_AT: dict[int, int] = {}


def _key(i: int, taken: Container[int]) -> tuple[str, int]:
    """The id of fact ``i`` and its hash: ``f{i}``, re-keyed ``f{i}~1``, ``~2``… past ``taken``."""
    base = f"f{i}"
    key, k = base, 0
    h = fnv1a32(key)
    while h in taken:
        k += 1
        key = f"{base}~{k}"
        h = fnv1a32(key)
    return key, h


def _extend_ids(n: int) -> None:
    while len(_ID_KEYS) < n:
        i = len(_ID_KEYS)
        key, h = _key(i, _ID_AT)
        _ID_AT[h] = i
        _ID_KEYS.append(key)


def assign_ids(facts: list[dict[str, Any]], sid: str) -> None:
    """Give every fact an ``id`` whose engine hash is unique in its session.

    The engine identifies facts by ``fnv1Hash32(id)`` only, and silently drops the second of
    two facts whose hashes clash (§2.1), so a unique *string* is not enough: clashes are
    re-keyed deterministically (``f12~1``) until the hash is unique.
    """
    for fact, key in zip(facts, _session_ids(len(facts), sid)):
        fact["id"] = key


def _session_ids(n: int, sid: str) -> list[str]:
    """The ids of :func:`assign_ids` for ``n`` facts in session ``sid``."""
    _extend_ids(n)
    # The ids do not depend on the session unless a session's own hashes clash with one of
    # them: then (rarely) the assignment is made afresh below. Either way the ids are those
    # of the loop below, started with the session's hashes in ``used``.
    sids = (fnv1a32(f"sid-{sid}"), fnv1a32(sid))
    if all(_ID_AT.get(h, n) >= n for h in sids):
        return _ID_KEYS[:n]
    used = set(sids)
    out = []
    for i in range(n):
        key, h = _key(i, used)
        used.add(h)
        out.append(key)
    return out


# --------------------------------------------------------------------------- serialisation

def _num(v: float | int) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v) or math.isinf(v):
        raise EngineError(f"NaN/inf cannot enter the engine (it truncates the batch): {v!r}")
    text = repr(float(v))
    if "e" in text and "." not in text.split("e")[0]:
        # The engine's parser accepts an exponent only after a fraction (§2.5): 1e-05 → 1.0e-05.
        mant, exp = text.split("e")
        text = f"{mant}.0e{exp}"
    return text


# The common fact holds only strings and plain ints under ASCII names: the C encoder writes
# exactly the text the general path below builds piece by piece (``"k":v`` joined by ``,``;
# strings as json.dumps(ensure_ascii=False) writes them; ints as str()). Floats, bools and
# lists take the general path (the engine's float syntax, §2.5).
_PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False).encode
_PLAIN_TYPES = frozenset({str, int})
_PLAIN_KEYS: set[str] = set()


def dumps_fact(fact: dict[str, Any]) -> str:
    """Serialise a flat fact (str, int, float, bool, list of str) exactly as the engine needs."""
    if len(fact) > MAX_PROPERTIES:
        raise EngineError(f"fact has {len(fact)} properties; more than {MAX_PROPERTIES} silently truncates a batch")
    if fact.keys() <= _PLAIN_KEYS and _PLAIN_TYPES.issuperset(map(type, fact.values())):
        return _PLAIN(fact)
    for k in fact:
        if type(k) is str and k.isascii() and k.isprintable() and '"' not in k and "\\" not in k:
            _PLAIN_KEYS.add(k)
    parts = []
    for k, v in fact.items():
        if isinstance(v, str):
            val = json.dumps(v, ensure_ascii=False)
        elif isinstance(v, (int, float)):
            val = _num(v)
        elif isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
            val = json.dumps(list(v), ensure_ascii=False)
        else:
            raise EngineError(f"unsupported fact value for {k!r}: {type(v).__name__}")
        parts.append(f"{json.dumps(k)}:{val}")
    return "{" + ",".join(parts) + "}"


def dumps_batch(facts: list[dict[str, Any]]) -> str:
    """A batch as the engine's JSON array: exactly ``"[" + ",".join(map(dumps_fact, facts)) + "]"``.

    When every fact is plain (see :func:`dumps_fact`) the whole batch is one C-encoder call:
    the checks run over all the batch's keys and values at C speed, not fact by fact.
    """
    return _dumps_batch(facts)[0]


def _dumps_batch(facts: list[dict[str, Any]]) -> tuple[str, bool]:
    """:func:`dumps_batch`, and whether every fact was plain (only strings and ints)."""
    if _plain(facts):
        return _PLAIN(facts), True
    text = "[" + ",".join(map(dumps_fact, facts)) + "]"
    return text, _plain(facts)  # dumps_fact has now learnt the batch's plain keys


def _plain(facts: list[dict[str, Any]]) -> bool:
    every = itertools.chain.from_iterable
    return bool(facts and max(map(len, facts)) <= MAX_PROPERTIES and _PLAIN_KEYS.issuperset(every(facts))
                and _PLAIN_TYPES.issuperset(map(type, every(map(dict.values, facts)))))


# --------------------------------------------------------------------------- reading matches

# An action's text is ``{"<rule>":[<frame>,...]}``, each frame ``{"e":<fact>,"x":<fact>}``
# (or with ``,"y":<fact>``), and the engine writes every fact back exactly as it was asserted.
# Parsing that JSON was the adapter's largest cost (json.loads of ~3 MB for a county's 23.5k
# expectations), so a session of plain facts reads it by cutting the text at the frame
# separators and looking each piece up among the texts it asserted. Exact by construction:
# when every piece is a known fact text, the action's text *is* the concatenation of those
# texts with the fixed separators, so json.loads would return those very facts (a plain fact
# survives a JSON round trip unchanged). Anything else (an unknown piece, another shape) is
# parsed by json.loads.
_FACT_SEP = '},{"t":'  # between two facts of a batch whose first key is "t"


def _fact_inners(payload: str, chunk: list[dict[str, Any]]) -> list[str] | None:
    """Each fact's text in ``payload`` (``dumps_batch(chunk)`` of plain facts) without its
    leading ``{"t":`` and trailing ``}``; None unless every fact's first key is ``t``.

    In the text of a flat object ``{"`` occurs only at its start (inside a string every ``"``
    is escaped), so the separator occurs exactly where a fact starting with ``t`` follows
    another: n pieces for n facts means every fact starts with ``t`` and no piece is cut.
    """
    if not payload.startswith('[{"t":') or not payload.endswith("}]"):
        return None
    inners = payload[6:-2].split(_FACT_SEP)
    return inners if len(inners) == len(chunk) else None


class _Reader:
    """Reads the actions of one session of plain facts (see above); None when it cannot."""

    def __init__(self, rules: Iterable[str], facts: list[dict[str, Any]], inners: list[str], ev: dict[str, Any],
                 ev_text: str) -> None:
        self.rules = rules  # rule names whose JSON text is the name in quotes
        self.known = dict(zip(inners, facts))  # a fact's text without '{"t":' and '}' → the fact
        self.ev = ev
        self.only_e = '{"e":' + ev_text + "}"
        self.head = '{"e":' + ev_text + ',"x":{"t":'
        self.sep = "}}," + self.head
        # A rule that matches every fact alone (the test template's "seen") lists them all, last
        # asserted first: that body is compared whole before any cutting (built only when the
        # length agrees).
        self.facts, self.inners = facts, inners
        self.every: str | None = None
        self.every_len = len(self.head) + sum(map(len, inners)) + len(self.sep) * (len(inners) - 1) + 2

    def read(self, text: str) -> list[Match] | None:
        """``text``'s matches as json.loads reads them, or None (then json.loads must)."""
        if not (text.startswith('{"') and text.endswith("]}")):
            return None
        cut = text.find('":[', 2)
        rule = text[2:cut]
        if cut < 0 or rule not in self.rules:
            return None
        body = text[cut + 3:-2]  # text == '{"' + rule + '":[' + body + ']}'
        if body == self.only_e:
            return [Match(rule, {"e": self.ev})]
        if not (body.startswith(self.head) and body.endswith("}}")):
            return None
        # body == head + sep.join(pieces) + '}}'; a piece is x's inner text, or x's, '},"y":{"t":' and y's
        known, ev = self.known, self.ev
        frames: list[dict[str, dict[str, Any]]]
        if len(body) == self.every_len and self.inners:
            if self.every is None:
                self.every = self.head + self.sep.join(reversed(self.inners)) + "}}"
            if body == self.every:
                frames = [{"e": ev, "x": x} for x in reversed(self.facts)]
                return list(map(tuple.__new__, itertools.repeat(Match), zip(itertools.repeat(rule), frames)))
        pieces = body[len(self.head):-2].split(self.sep)
        xs = list(map(known.get, pieces))
        if None not in xs:
            frames = [{"e": ev, "x": x} for x in cast(list[dict[str, Any]], xs)]
        else:
            frames = []
            for piece in pieces:
                xin, ysep, yin = piece.partition('},"y":{"t":')
                x, y = known.get(xin), known.get(yin)
                if x is None or not ysep or y is None:
                    return None
                frames.append({"e": ev, "x": x, "y": y})
        # tuple.__new__ through map: a third of the cost of calling Match(rule, frame) per match
        return list(map(tuple.__new__, itertools.repeat(Match), zip(itertools.repeat(rule), frames)))


def _loads(text: str) -> Any:
    """The general reading of an action's text (a seam for tests that count its use)."""
    return json.loads(text)


# --------------------------------------------------------------------------- rule checks

def _walk(node: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _is_correlated(expr: Any, aliases: set[str]) -> bool:
    return any(isinstance(v, dict) and len(v) == 1 and next(iter(v)) in aliases and isinstance(next(iter(v.values())), str)
               for _, v in _walk(expr))


def check_rules(rules: dict[str, dict[str, Any]]) -> None:
    """Refuse rules the engine would mishandle, *before* any ruleset is created."""
    guards: dict[str, int] = {}
    constants: dict[str, set[str]] = {}
    for name, rule in rules.items():
        if "any" in rule or "all" not in rule:
            raise EngineError(f"{name}: only 'all' rules are allowed ('any' fires for combinations, §1)")
        patterns = rule["all"]
        if not 1 <= len(patterns) <= MAX_PATTERNS_PER_RULE:
            raise EngineError(f"{name}: {len(patterns)} patterns (1..{MAX_PATTERNS_PER_RULE} allowed)")
        first = patterns[0]
        alias0, expr0 = next(iter(first.items()))
        if alias0 != "e" or not (isinstance(expr0, dict) and expr0.get("t") == "e"):
            raise EngineError(f"{name}: the first pattern must be the evaluate guard 'e' (order-dependent negation, §3.1)")
        key = json.dumps(first, sort_keys=True)
        guards[key] = guards.get(key, 0) + 1
        if guards[key] > MAX_RULES_PER_PATTERN:
            raise EngineError(f"more than {MAX_RULES_PER_PATTERN} rules share the guard {key}")
        aliases: set[str] = set()
        for pattern in patterns:
            (alias, expr), = pattern.items()
            bare = alias.split("$")[0]
            for k, v in _walk(expr):
                if k in ("id", "sid") or (isinstance(v, str) and v in ("id", "sid") and k in aliases):
                    raise EngineError(f"{name}: rules must never reference id or sid (use-after-free, §3.8)")
                if k in ("$or",) and _is_correlated(v, aliases):
                    raise EngineError(f"{name}: correlated $or is evaluated wrongly (§3.8)")
            if isinstance(expr, dict) and "$and" in expr and _is_correlated(expr, aliases):
                terms = expr["$and"]
                if terms[-1] != {"_k": {"e": "_k"}}:
                    raise EngineError(f"{name}: a correlated $and must end with the always-true _k term (§3.8, #381)")
                if any("$and" in t or "$or" in t for t in terms if isinstance(t, dict)):
                    raise EngineError(f"{name}: nested $and/$or inside a correlated expression (§3.8)")
            for k, v in _walk(expr):
                if not k.startswith("$") and isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    constants.setdefault(k, set()).add(str(v))
            aliases.add(bare)
    for prop, values in constants.items():
        if len(values) > MAX_CONSTANTS_PER_PROPERTY:
            raise EngineError(f"{len(values)} distinct constants on {prop!r}; the 513th hangs rule creation (§1)")


def independent_facts(rules: dict[str, dict[str, Any]]) -> bool:
    """Whether no rule can match two facts together (besides the evaluate fact).

    True when every rule is the guard plus at most one positive pattern that refers to no
    alias but the guard's: then each fact's matches depend on that fact alone, and a session
    may be split anywhere without changing what matches. Anything else (a join, a negation,
    a name that might be an alias) is treated as dependent.
    """
    aliases: set[str] = set()
    for rule in rules.values():
        for pattern in rule["all"][1:]:
            aliases.update(alias.split("$")[0] for alias in pattern)
    for rule in rules.values():
        rest = rule["all"][1:]
        if len(rest) > 1:
            return False
        for pattern in rest:
            (alias, expr), = pattern.items()
            if "$" in alias or _is_correlated(expr, aliases | {alias}):
                return False
    return True


# --------------------------------------------------------------------------- the ruleset

class Match(NamedTuple):
    """One match: the engine rule's name and its frame (alias → fact). A tuple, not a frozen
    dataclass: a county has tens of thousands, and the dataclass's __init__ cost twice as much.
    Frames are read only: matches of one session may share a fact's dict."""
    rule: str
    frame: dict[str, dict[str, Any]]


_names = itertools.count()


class Ruleset:
    """One compiled ruleset; evaluates one session at a time.

    No durable ``Host`` is involved: the stock Host starts timer threads that run actions late
    and segfault once sessions are deleted (§2.2, §3.5), and its Python action machinery
    (a Closure and a Content per match, the session state re-serialised after every action)
    cost more than the engine itself. The ruleset is created and driven through the C API.
    """

    def __init__(self, rules: dict[str, dict[str, Any]]) -> None:
        rules = json.loads(json.dumps(rules))  # our own copy: the caller's dicts stay untouched
        if ALWAYS_RULE in rules:
            raise EngineError(f"{ALWAYS_RULE} is reserved")
        # A rule that always fires on the evaluate fact: delete_state on a session where no
        # action ran segfaults (§2.2).
        rules[ALWAYS_RULE] = {"all": [{"e": {"t": "e"}}]}
        check_rules(rules)
        self.independent = independent_facts(rules)
        self._matches: list[Match] = []
        self._errors: list[BaseException] = []
        self._evaluated = False  # whether ALWAYS_RULE fired in the session
        for rule in rules.values():
            rule["cap"] = CAP
        # Rule names an action's text spells as the name in quotes (see _Reader).
        self._plain_names = frozenset(n for n in rules if json.dumps(n, ensure_ascii=False) == f'"{n}"')
        self._reader: _Reader | None = None
        self.name = f"ducha_{os.getpid()}_{next(_names)}"
        try:
            self._handle = _dre.create_ruleset(self.name, json.dumps(rules, ensure_ascii=False))
        except _dre.error as e:  # type: ignore[attr-defined]
            raise EngineError(f"engine refused the rules: {e}") from None
        self._sessions = itertools.count()

    def _collect(self, text: str) -> None:
        """Keep the matches of one action: ``{rule: [frame, ...]}`` (a bare frame without ``cap``)."""
        # Exceptions raised here would leave the engine's action half done (§3.6): keep them,
        # finish the dispatch, and raise afterwards.
        try:
            fast = self._reader.read(text) if self._reader is not None else None
            if fast is not None:
                if fast and fast[0].rule == ALWAYS_RULE:
                    self._evaluated = True
                else:
                    self._matches.extend(fast)
                return
            append = self._matches.append
            for rule, frames in _loads(text).items():
                if rule == ALWAYS_RULE:
                    self._evaluated = True
                    continue
                for frame in ([frames] if isinstance(frames, dict) else frames):
                    append(Match(rule, frame))
        except BaseException as e:  # noqa: BLE001 - re-raised after dispatch
            self._errors.append(e)

    def _dispatch(self, offset: int) -> None:
        """Run every action pending in the session at ``offset``, now (§3.5)."""
        handle = self._handle
        started = _dre.start_action_for_state(handle, offset)
        text = started[1] if started else None
        while text:
            self._collect(text)
            text = _dre.complete_and_start_action(handle, offset)
        if self._errors:
            raise EngineError(f"action failed: {self._errors[0]!r}")

    def _assert(self, payload: str, many: bool) -> None:
        code, offset = (_dre.assert_facts if many else _dre.assert_fact)(self._handle, payload)
        if code not in (RESULT_OK, RESULT_NOT_HANDLED):
            raise EngineError(f"engine refused facts with code {code} (duplicate or clashing id)")
        self._dispatch(offset)

    def evaluate(self, facts: list[dict[str, Any]], evaluate: dict[str, Any]) -> list[Match]:
        """Run one session: ``facts`` then the ``evaluate`` fact; return every match.

        ``evaluate`` must carry ``t: "e"``; it is asserted once, last, as a fact, never posted
        (negation is order-dependent, §3.1; events are consumed, §3.3). Facts are not mutated.
        When no two facts can match together (:func:`independent_facts`), the session runs as
        consecutive sessions of at most :data:`SPLIT` facts: the same matches, cheaper.
        """
        if len(facts) > MAX_FACTS_PER_SESSION:
            raise EngineError(f"{len(facts)} facts in one session (limit {MAX_FACTS_PER_SESSION})")
        if self.independent and len(facts) > SPLIT:
            return [m for i in range(0, len(facts), SPLIT) for m in self._session(facts[i:i + SPLIT], evaluate)]
        return self._session(facts, evaluate)

    def _reader_for(self, chunks: list[list[dict[str, Any]]], encoded: list[tuple[str, bool]], ev: dict[str, Any],
                    ev_text: str) -> _Reader | None:
        """A :class:`_Reader` for a session whose facts (and evaluate fact) are all plain."""
        facts: list[dict[str, Any]] = []
        inners: list[str] = []
        for chunk, (payload, plain) in zip(chunks, encoded):
            texts = _fact_inners(payload, chunk) if plain else None
            if texts is None:
                return None
            facts += chunk
            inners += texts
        if not (_PLAIN_KEYS.issuperset(ev) and _PLAIN_TYPES.issuperset(map(type, ev.values()))):
            return None
        return _Reader(self._plain_names, facts, inners, ev, ev_text)

    def _session(self, facts: list[dict[str, Any]], evaluate: dict[str, Any]) -> list[Match]:
        sid = f"s{next(self._sessions)}"
        # Each fact with the session, the _k term's property and its id (as assign_ids would give).
        ids = _session_ids(len(facts) + 1, sid)
        batch = [{**f, "sid": sid, "_k": 1, "id": key} for f, key in zip(facts, ids)]
        ev = {**evaluate, "sid": sid, "_k": 1, "id": ids[-1]}
        self._matches, self._errors, self._evaluated = [], [], False
        # serialise (and reject bad values) before asserting anything
        chunks = [batch[i:i + BATCH] for i in range(0, len(batch), BATCH)]
        encoded = [_dumps_batch(chunk) for chunk in chunks]
        ev_text = dumps_fact(ev)
        self._reader = self._reader_for(chunks, encoded, ev, ev_text)
        try:
            for payload, _ in encoded:
                self._assert(payload, many=True)
            self._assert(ev_text, many=False)
        except _dre.error as e:  # type: ignore[attr-defined]
            raise EngineError(f"engine error: {e}") from None
        finally:
            self._reader = None
        if not self._evaluated:
            # Deleting now would segfault (§2.2); leaking one session is the safe failure.
            raise EngineError("the evaluate fact was not seen: session left undeleted")
        _dre.delete_state(self._handle, sid)
        return self._matches  # without the evaluate rule's match (see _collect)
