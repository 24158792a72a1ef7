"""The account holder's name as a tenant types it (full-width katakana) becomes the Zengin form
the transfer instructions hold: half-width, upper case, small kana written large."""

from core.zengin_kana import is_zengin_kana, to_zengin_kana


def test_full_width_katakana_becomes_half_width_with_large_kana():
    assert to_zengin_kana("ショウメイホスティング(カ") == "ｼﾖｳﾒｲﾎｽﾃｲﾝｸﾞ(ｶ"
    assert to_zengin_kana("デジサート（ド") == "ﾃﾞｼﾞｻｰﾄ(ﾄﾞ"  # noqa: RUF001
    assert to_zengin_kana("ｼﾖｳﾒｲ(ｶ") == "ｼﾖｳﾒｲ(ｶ"  # already half-width: unchanged
    assert is_zengin_kana(to_zengin_kana("ショウメイホスティング(カ"))
    assert not is_zengin_kana("ショウメイ")
