"""Where a built message goes: an SMTP server (``settings.smtp_url``) or, embedded, a folder.

Both are blocking (smtplib, file writes); the mailer calls them in a thread.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT = 30.0


class MailTransport(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None:
        """Hand the message over, or raise (the message then counts as failed)."""


class SmtpTransport:
    """``smtp://user:pass@host:port`` (STARTTLS when the server offers it) or ``smtps://``."""

    name = "smtp"

    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else ""
        self.password = unquote(parts.password) if parts.password else ""
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if not self.implicit_tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


class FileTransport:
    """The embedded mode's mailbox: each message as ``<folder>/<message id>.eml``."""

    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in message["Message-ID"])
        path = self.folder / f"{stem.strip('_')}.eml"
        partial = path.with_suffix(".eml.partial")
        partial.write_bytes(message.as_bytes())
        partial.replace(path)


def transport_for(smtp_url: str, mail_folder: Path) -> MailTransport:
    return SmtpTransport(smtp_url) if smtp_url else FileTransport(mail_folder)
