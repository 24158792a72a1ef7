from core.i18n import Translator, format_yen, merge_catalogs, missing_translations
from core.plugins import build_plugin_manager


def test_every_message_exists_in_japanese_and_english():
    pm = build_plugin_manager(load_entrypoints=False)
    catalogs = merge_catalogs(pm.hook.register_translations())
    assert missing_translations(catalogs) == {}
    assert catalogs["ja"] and catalogs["en"]


def test_missing_translation_is_reported_and_marked():
    catalogs = {"ja": {"a": "あ", "b": "い"}, "en": {"a": "A"}}
    assert missing_translations(catalogs) == {"en": {"b"}}
    assert Translator(catalogs, "en")("b") == "[b]"


def test_unknown_language_falls_back_to_japanese():
    assert Translator({"ja": {"a": "あ"}, "en": {"a": "A"}}, "fr")("a") == "あ"


def test_yen_is_formatted_for_the_language():
    assert format_yen(1234567, "ja") == "1,234,567円"
    assert format_yen(1100, "en") == "¥1,100"
