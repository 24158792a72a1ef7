"""The account holder's name as a tenant types it (full-width katakana) becomes the half-width
form the Zengin format and the transfer instructions hold."""

from plugins.bank_transfer.instructions import _KANA_NAME, zengin_kana


def test_full_width_katakana_becomes_half_width():
    assert zengin_kana("ショウメイホスティング(カ") == "ｼｮｳﾒｲﾎｽﾃｨﾝｸﾞ(ｶ"
    assert zengin_kana("デジサート（ド") == "ﾃﾞｼﾞｻｰﾄ(ﾄﾞ"  # noqa: RUF001
    assert zengin_kana("ｼﾖｳﾒｲ(ｶ") == "ｼﾖｳﾒｲ(ｶ"  # already half-width: unchanged
    assert _KANA_NAME.fullmatch(zengin_kana("ショウメイホスティング(カ"))
