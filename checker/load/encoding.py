"""Text encodings of submitted files, detected without the user saying so.

Accepted: UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, and GB18030 (which
contains GBK and GB2312, the encodings of Chinese-language Excel's "CSV"). Anything else is
refused with a message that says how to fix it; we never hand mojibake to the validator.

Why a plausibility check after GB18030: almost any byte string decodes as *something* in a
double-byte encoding. Text from other legacy code pages either fails strict decoding or, often
enough, lands in the private-use area or among control characters; a genuine GBK file never
does. The check cannot catch every wrong encoding (Big5 decodes as valid-looking Chinese),
which is why the messages ask for UTF-8.
"""
from __future__ import annotations

import codecs
import re

# Control characters other than tab, newline and carriage return. After a GB18030 decode also
# C1 controls and the private-use area (UTF-8 is self-checking, and a name written with a
# rare character from a vendor font may legitimately sit in the private-use area).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),  # before UTF-16: same prefix
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class EncodingProblem(ValueError):
    """The bytes are not text in an accepted encoding; bilingual reason."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding)`` or raises :class:`EncodingProblem`."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise EncodingProblem(f"文件以 {enc.upper()} 标记开头，但第 {e.start} 字节起内容不符合该编码",
                                      f"the file starts with a {enc.upper()} byte-order mark but byte {e.start} "
                                      f"is not valid {enc.upper()}") from None
            _check_plausible(text, enc, data if enc == "utf-8-sig" else None)
            return text, enc
    if b"\x00" in data:
        # UTF-16 without a BOM is valid UTF-8 full of NULs; say what it probably is.
        raise EncodingProblem("文件含有空字符（NUL）：可能是不带 BOM 的 UTF-16，请另存为 UTF-8",
                              "the file contains NUL bytes: probably UTF-16 without a byte-order mark; "
                              "save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise EncodingProblem(
                f"无法识别的编码（第 {utf8_error.start} 字节起既不是 UTF-8 也不是 GB18030/GBK）；请另存为 UTF-8",
                f"unrecognised encoding (from byte {utf8_error.start} neither UTF-8 nor GB18030/GBK); "
                "save the file as UTF-8") from None
        _check_plausible(text, "gb18030")
        return text, "gb18030"
    _check_plausible(text, "utf-8", data)
    return text, "utf-8"


# Every byte value except the C0 controls we refuse (tab, LF, CR allowed) and DEL: deleting
# them from UTF-8 bytes leaves exactly the refused controls (UTF-8 never uses bytes below
# 0x80 inside a multi-byte character), which is much faster than a regex over the text.
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 0x20 and b not in (9, 10, 13)) and b != 0x7F)


def _check_plausible(text: str, enc: str, data: bytes | None = None) -> None:
    if data is not None and not data.translate(None, _NOT_CONTROL):
        return
    m = (_IMPLAUSIBLE if enc == "gb18030" else _CONTROL).search(text)
    if m is None:
        return
    line = text.count("\n", 0, m.start()) + 1
    code = f"U+{ord(m.group()):04X}"
    raise EncodingProblem(
        f"按 {enc.upper()} 解码后第 {line} 行出现控制字符或私用区字符（{code}），编码可能不对；请另存为 UTF-8",
        f"decoded as {enc.upper()}, line {line} contains a control or private-use character ({code}); "
        "the encoding is probably wrong: save the file as UTF-8")
