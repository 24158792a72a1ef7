"""A real SMTP server on loopback (aiosmtpd) that keeps every message the workers send.

Journey tests read mail as a person does: wait for the message addressed to them, read its
text, follow its links. ``await mailbox.wait_for(to=..., subject=...)`` polls until a matching
message has arrived (the worker sends it some time after the page answered).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s\"'<>]+")


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[str, ...]

    @property
    def links(self) -> list[str]:
        """Every address in the text part (then the HTML part), in order, without repeats."""
        found: list[str] = []
        for link in LINK.findall(self.text) + LINK.findall(self.html):
            link = link.rstrip(".,)\uff09\u300d")
            if link not in found:
                found.append(link)
        return found

    def link_to(self, path_part: str) -> str:
        for link in self.links:
            if path_part in link:
                return link
        raise AssertionError(f"no link containing {path_part!r} in {self.subject!r}: {self.links}")


def _parse(raw: bytes, recipients: list[str]) -> Mail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    text = html = ""
    attachments: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_filename():
            attachments.append(part.get_filename() or "")
        elif part.get_content_type() == "text/plain" and not text:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and not html:
            html = part.get_content()
    return Mail(
        to=tuple(address.lower() for address in recipients),
        subject=str(message["Subject"] or ""),
        text=text,
        html=html,
        attachments=tuple(attachments),
    )


@dataclass
class Mailbox:
    """Every message received since the SMTP server started."""

    messages: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(_parse(envelope.original_content, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def matching(self, to: str, subject: str = "") -> list[Mail]:
        return [mail for mail in self.messages if to.lower() in mail.to and subject in mail.subject]

    async def wait_for(self, to: str, subject: str = "", timeout: float = 60.0) -> Mail:
        """The newest message to ``to`` whose subject contains ``subject``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(to, subject)
            if found:
                return found[-1]
            await asyncio.sleep(0.2)
        seen = [(mail.to, mail.subject) for mail in self.messages]
        raise AssertionError(f"no mail to {to} with {subject!r} within {timeout}s; got {seen}")


class SmtpSink:
    """``with SmtpSink() as sink``: the mailbox and the port it listens on (127.0.0.1)."""

    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox()
        self.port = port
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
