"""Encodings are detected without the user saying so; anything else is refused, clearly."""
from __future__ import annotations

import codecs

import pytest

from checker.load.encoding import EncodingProblem, decode_text

TEXT = "编号,姓名,任命日期\r\nC-1,张三,2017年6月1日\r\n"


@pytest.mark.parametrize("data,encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
])
def test_accepted_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    assert decode_text(data) == (TEXT, encoding)


def test_a_character_outside_gbk_survives_gb18030() -> None:
    text = "姓名\n𠮷野家\n"  # a character GB18030 encodes in four bytes
    assert decode_text(text.encode("gb18030")) == (text, "gb18030")


def test_ascii_is_utf8() -> None:
    assert decode_text(b"id,name\n") == ("id,name\n", "utf-8")


def test_utf16_without_bom_is_refused_with_a_hint() -> None:
    with pytest.raises(EncodingProblem) as e:
        decode_text(TEXT.encode("utf-16-le"))
    assert "UTF-16" in e.value.zh and "byte-order mark" in e.value.en


def test_a_western_code_page_is_refused_with_the_byte() -> None:
    data = "id,name\nC-1,José,x\n".encode("cp1252")
    with pytest.raises(EncodingProblem) as e:
        decode_text(data)
    assert e.value.en == ("unrecognised encoding (from byte 15 neither UTF-8 nor GB18030/GBK); "
                          "save the file as UTF-8")
    assert "第 15 字节" in e.value.zh


def test_gb18030_that_lands_in_the_private_use_area_is_refused() -> None:
    # 0xAAA1 is a user-defined GBK code point: valid bytes, meaningless text.
    data = "id,name\n".encode() + b"C-1,\xaa\xa1\n"
    with pytest.raises(EncodingProblem) as e:
        decode_text(data)
    assert "U+E000" in e.value.en and "line 2" in e.value.en


def test_control_characters_are_refused_with_their_line() -> None:
    with pytest.raises(EncodingProblem) as e:
        decode_text(b"id,name\nC-1,a\x01b\n")
    assert "line 2" in e.value.en and "U+0001" in e.value.en


def test_private_use_characters_are_allowed_in_utf8() -> None:
    # Rare characters in personal names sometimes come from vendor fonts in the PUA.
    text = "姓名\n张\ue000\n"
    assert decode_text(text.encode("utf-8"))[0] == text


def test_a_bom_with_broken_content_is_refused() -> None:
    with pytest.raises(EncodingProblem) as e:
        decode_text(codecs.BOM_UTF8 + b"ok\xff")
    assert "byte-order mark" in e.value.en
