import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3] / "core"
MESSAGE_ID = re.compile(r"\"((?:catalog|orders)\.[a-z_]+\.[a-z_]+)\"")


@pytest.mark.parametrize("package", ["catalog", "orders"])
def test_every_message_id_the_code_uses_has_japanese_and_english_text(package):
    used = {
        found
        for path in (ROOT / package).rglob("*.py")
        if "piccolo_migrations" not in path.parts
        for found in MESSAGE_ID.findall(path.read_text(encoding="utf-8"))
        if found.startswith(f"{package}.")
    }
    assert used
    for language in ("ja", "en"):
        catalog = json.loads((ROOT / package / "locale" / f"{language}.json").read_text("utf-8"))
        assert used <= set(catalog), (language, used - set(catalog))
