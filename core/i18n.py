"""Message catalogs in Japanese and English, keyed by message id.

Each package keeps ``locale/ja.json`` and ``locale/en.json``; plugins add theirs through the
``register_translations`` hook. Both languages must hold the same ids (a test checks).
"""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Iterable, Mapping
from typing import Any

LANGUAGES = ("ja", "en")


def load_catalogs(package: str) -> dict[str, dict[str, str]]:
    """Read ``<package>/locale/<lang>.json`` for every language that exists."""
    catalogs: dict[str, dict[str, str]] = {}
    folder = importlib.resources.files(package).joinpath("locale")
    for language in LANGUAGES:
        entry = folder.joinpath(f"{language}.json")
        if entry.is_file():
            catalogs[language] = json.loads(entry.read_text(encoding="utf-8"))
    return catalogs


def merge_catalogs(batches: Iterable[Mapping[str, Mapping[str, str]]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for batch in batches:
        for language, messages in batch.items():
            merged.setdefault(language, {}).update(messages)
    return merged


class Translator:
    """Looks message ids up in one language; an unknown id comes back as itself, marked."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]], language: str) -> None:
        self.language = language if language in catalogs else LANGUAGES[0]
        self._messages = catalogs.get(self.language, {})

    def __call__(self, message_id: str, **params: Any) -> str:
        template = self._messages.get(message_id)
        if template is None:
            return f"[{message_id}]"
        return template.format(**params) if params else template


def missing_translations(catalogs: Mapping[str, Mapping[str, str]]) -> dict[str, set[str]]:
    """Per language, the ids some other language has and it lacks."""
    every = set().union(*(set(messages) for messages in catalogs.values()))
    gaps = {lang: every - set(catalogs.get(lang, {})) for lang in LANGUAGES}
    return {lang: missing for lang, missing in gaps.items() if missing}


def format_yen(amount: int, language: str) -> str:
    """¥1,100 in either language; Japanese pages may prefer 1,100円, which is the same number."""
    if language == "ja":
        return f"{amount:,}円"
    return f"¥{amount:,}"
