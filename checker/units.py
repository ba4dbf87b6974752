"""Government unit names: comparison keys and unit-list splitting.

Source documents and submissions name the same department in several ways: with or
without the jurisdiction (``区生态环境局`` / ``生态环境局`` / ``长宁区生态环境局``), with
full- or half-width parentheses, with stray spaces. :func:`unit_key` maps all of these to
one key, used *only for comparison*; names shown to users stay as written.

The prefix list is deliberately small and explicit (see :data:`JURISDICTION_PREFIXES`);
it covers the two rule packs' jurisdictions. Extend it here, not at call sites.
"""
from __future__ import annotations

import re
import unicodedata

#: Leading jurisdiction prefixes stripped by :func:`unit_key`, longest first so that
#: ``贵港市`` wins over ``贵港`` and ``长宁区`` over ``区``. At most one is stripped.
#: ``贵港`` (without 市) is listed because the seed writes ``贵港海事局``, a unit that the
#: city list otherwise calls ``市海事局``.
#: The five county-level divisions of 贵港 are listed so that a county's own department
#: (港北区水利局) compares equal to the plan's unit (市水利局) when counties apply the city
#: list to themselves (GG-08, 县(市、区)结合实际参照执行).
JURISDICTION_PREFIXES: tuple[str, ...] = ("长宁区", "贵港市", "港北区", "港南区", "覃塘区", "平南县", "桂平市",
                                          "贵港", "区", "市", "县")

#: Names that *begin* with a prefix character that is part of the unit's own name, so the
#: character must not be stripped: ``市场监管局`` is not ``市`` + ``场监管局``, and
#: ``市政局`` is not ``市`` + ``政局``. (``市市政局`` still loses its first 市.)
_PROTECTED_STARTS: tuple[str, ...] = ("市场", "市政", "市容", "区域", "县域")

#: A prefix is stripped only if at least this many characters remain, so ``区委`` keeps
#: its 区 (``委`` alone would be meaningless).
_MIN_REMAINDER = 2

_WHITESPACE = re.compile(r"\s+")


def unit_key(name: str) -> str:
    """Return the canonical comparison key of a government unit name.

    Contract: NFKC-normalise (full-width parentheses, digits and spaces become
    half-width), remove all whitespace, then strip at most ONE leading prefix from
    :data:`JURISDICTION_PREFIXES` (longest match first), but only when at least two
    characters remain and the name does not start with a protected word such as ``市场``.
    The key is for equality tests only; never display it.

    >>> unit_key("长宁区生态环境局") == unit_key("区生态环境局") == unit_key("生态环境局")
    True
    >>> unit_key("区投促办（金融办）") == unit_key("区投促办(金融办)")
    True
    """
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", name))
    for prefix in JURISDICTION_PREFIXES:
        if not text.startswith(prefix):
            continue
        if len(prefix) == 1 and text.startswith(_PROTECTED_STARTS):
            # The first character belongs to the unit's own name; nothing to strip.
            return text
        rest = text[len(prefix):]
        return rest if len(rest) >= _MIN_REMAINDER else text
    return text


#: Separators between units in a list cell: 、 ，, ; ； / and line breaks.
_SEPARATORS = frozenset("、，,;；/\n\r")
# 〈〉: the Guigang seed writes 各县〈市、区〉人民政府 as one lead unit.
_OPENERS = frozenset("(（[【〔〈")
_CLOSERS = frozenset(")）]】〕〉")


def split_units(text: str) -> list[str]:
    """Split a unit-list cell into unit names, in order, as written.

    Contract: splits on ``、 ， , ; ； /`` and line breaks, but never inside parentheses
    or brackets (so ``区投促办(金融办、发改委)`` stays one name); each name is trimmed of
    surrounding whitespace; empty pieces are dropped. Names are NOT normalised (use
    :func:`unit_key` to compare them). An empty or blank cell gives ``[]``.
    """
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth > 0:
            depth -= 1
        elif ch in _SEPARATORS and depth == 0:
            names.append("".join(current))
            current = []
            continue
        current.append(ch)
    names.append("".join(current))
    return [n.strip() for n in names if n.strip()]


def same_unit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name the same unit (equal :func:`unit_key`)."""
    return unit_key(a) == unit_key(b)
