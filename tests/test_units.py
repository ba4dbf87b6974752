"""Unit-name keys and unit-list splitting (checker.units)."""
from __future__ import annotations

import pytest

from checker.units import JURISDICTION_PREFIXES, same_unit, split_units, unit_key


@pytest.mark.parametrize("names", [
    ("区生态环境局", "生态环境局", "长宁区生态环境局"),
    ("虹桥办", "区虹桥办"),
    ("市发展改革委", "发展改革委", "贵港市发展改革委"),
    ("区投促办(金融办)", "区投促办（金融办）", "投促办 (金融办)"),
    ("贵港海事局", "市海事局", "海事局"),
    ("市市场监管局", "区市场监管局", "市场监管局"),  # 市场 is part of the name
    ("市市政局", "市政局"),
    ("县水利局", "水利局"),
])
def test_equal_keys(names: tuple[str, ...]) -> None:
    keys = {unit_key(n) for n in names}
    assert len(keys) == 1, {n: unit_key(n) for n in names}


def test_whitespace_and_nfkc() -> None:
    assert unit_key(" 区 生态环境局\u3000") == unit_key("生态环境局") == "生态环境局"
    assert unit_key("区投促办（金融办）") == "投促办(金融办)"


def test_only_one_prefix_stripped() -> None:
    assert unit_key("长宁区区生态环境局") == "区生态环境局"


def test_prefix_kept_when_remainder_too_short() -> None:
    assert unit_key("区委") == "区委"
    assert unit_key("市") == "市"
    assert unit_key("") == ""
    assert unit_key("区委宣传部") == "委宣传部"  # long enough: stripped like any other


def test_different_units_stay_different() -> None:
    assert not same_unit("区生态环境局", "区绿化市容局")
    assert not same_unit("区建管委", "区科委")


def test_prefix_list_longest_first() -> None:
    # A shorter prefix before a longer one that starts with it would shadow it.
    for i, a in enumerate(JURISDICTION_PREFIXES):
        for b in JURISDICTION_PREFIXES[i + 1:]:
            assert not b.startswith(a), (a, b)


@pytest.mark.parametrize("text, expected", [
    ("区生态环境局、区投促办(金融办)", ["区生态环境局", "区投促办(金融办)"]),
    ("区建管委，区科委,区应急局;区财政局；区审计局/区人社局",
     ["区建管委", "区科委", "区应急局", "区财政局", "区审计局", "区人社局"]),
    ("区建管委\n区科委\r\n各街镇", ["区建管委", "区科委", "各街镇"]),
    (" 区建管委 、、 区科委 、", ["区建管委", "区科委"]),
    ("区投促办（金融办、发改委）、区科委", ["区投促办（金融办、发改委）", "区科委"]),
    ("市公安局、各县〈市、区〉人民政府", ["市公安局", "各县〈市、区〉人民政府"]),
    ("", []),
    ("  ", []),
])
def test_split_units(text: str, expected: list[str]) -> None:
    assert split_units(text) == expected
