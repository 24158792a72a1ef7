"""Names as the Zengin (全銀協) formats hold them: half-width katakana, A-Z, 0-9 and ().-/,

A bank account's holder name (口座名義), a consignor's name and a bank's or branch's name are
typed by people in full-width katakana, hiragana or full-width letters; bank files, transfer
instructions and ATMs show them half-width and upper case, with small kana written large
(Zengin has no small kana: ショウメイ is ｼﾖｳﾒｲ). One rule for every plugin that prints them.
"""

from __future__ import annotations

import re
import unicodedata

KANA_NAME = re.compile(r"^[\uff66-\uff9f A-Z0-9().\-/,]+$")
"""The characters a Zengin name field may hold."""

_HALF_KANA = [chr(c) for c in range(0xFF66, 0xFFA0)]
_SMALL_TO_LARGE = dict(zip("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ", strict=True))
_TO_HALF: dict[str, str] = {}
for _half in _HALF_KANA:
    _TO_HALF.setdefault(unicodedata.normalize("NFKC", _half), _half)
    for _mark in "ﾞﾟ":
        _full = unicodedata.normalize("NFKC", _half + _mark)
        if len(_full) == 1:
            _TO_HALF.setdefault(_full, _half + _mark)
_TO_HALF["・"] = "."  # full-width brackets and spaces become ASCII through NFKC


def to_zengin_kana(text: str) -> str:
    """Full-width katakana, hiragana and letters as the half-width upper-case characters a
    bank file holds (small kana become large ones, as banks print them)."""
    out: list[str] = []
    for char in text.strip():
        if "\u3041" <= char <= "\u3096":  # hiragana -> katakana
            char = chr(ord(char) + 0x60)
        if char in _TO_HALF:
            out.append(_TO_HALF[char])
            continue
        plain = unicodedata.normalize("NFKC", char)
        out.append(plain.upper() if plain.isascii() else char)
    return "".join(_SMALL_TO_LARGE.get(c, c) for c in "".join(out))


def is_zengin_kana(text: str) -> bool:
    return bool(KANA_NAME.fullmatch(text))
