"""What a page must have for people who use a screen reader, read with the stdlib's HTML parser:
every form field has an accessible name (``<label for=…>``, a wrapping ``<label>``,
``aria-label`` or ``aria-labelledby`` naming elements of the page), the page has exactly one
``<h1>``, and ``<html lang>`` is the language the page was asked in."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

UNNAMED_INPUT_TYPES = frozenset({"hidden", "submit", "button", "image", "reset"})
"""Inputs that are not fields: hidden, or buttons named by their own value."""
FIELD_TAGS = frozenset({"input", "select", "textarea"})


@dataclass
class Field:
    tag: str
    attrs: dict[str, str]
    in_label: bool

    def describe(self) -> str:
        shown = " ".join(
            f'{key}="{self.attrs[key]}"' for key in ("type", "name", "id") if key in self.attrs
        )
        return f"<{self.tag} {shown}>".replace(" >", ">")


@dataclass
class _Label:
    target: str
    text: list[str] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)


class PageAudit(HTMLParser):
    """Feed it a page, then read ``unnamed_fields()``, ``h1_count`` and ``lang``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[Field] = []
        self.ids: set[str] = set()
        self.labelled_ids: set[str] = set()  # ids of a <label for> with text
        self.h1_count = 0
        self.lang: str | None = None
        self._labels: list[_Label] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "html" and self.lang is None:
            self.lang = values.get("lang", "")
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "label":
            self._labels.append(_Label(values.get("for", "")))
        elif tag in FIELD_TAGS:
            if tag == "input" and values.get("type", "text").lower() in UNNAMED_INPUT_TYPES:
                return
            found = Field(tag, values, in_label=False)
            self.fields.append(found)
            for label in self._labels:
                label.fields.append(found)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._labels:
            label = self._labels.pop()
            if "".join(label.text).strip():
                if label.target:
                    self.labelled_ids.add(label.target)
                for wrapped in label.fields:
                    wrapped.in_label = True

    def handle_data(self, data: str) -> None:
        for label in self._labels:
            label.text.append(data)

    def _named(self, found: Field) -> bool:
        attrs = found.attrs
        if attrs.get("aria-label", "").strip():
            return True
        labelled_by = attrs.get("aria-labelledby", "").split()
        if labelled_by and all(name in self.ids for name in labelled_by):
            return True
        return found.in_label or (bool(attrs.get("id")) and attrs["id"] in self.labelled_ids)

    def unnamed_fields(self) -> list[str]:
        return [found.describe() for found in self.fields if not self._named(found)]


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    page.close()
    return page


def page_problems(html: str, lang: str) -> list[str]:
    """Every problem of one page, worded for the failure message (empty when it is fine)."""
    page = audit(html)
    problems = [f"field without an accessible name: {name}" for name in page.unnamed_fields()]
    if page.h1_count != 1:
        problems.append(f"{page.h1_count} <h1> elements (one expected)")
    if page.lang != lang:
        problems.append(f'<html lang="{page.lang}"> (expected "{lang}")')
    return problems
