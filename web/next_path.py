"""Where to send the browser after a step (``?next=`` of the sign-in pages): only a path of this
site, never another host.

A browser treats ``//host``, ``/\\host`` and ``\\\\host`` as addresses of other hosts, ignores
tabs and line breaks inside an address (and a CR/LF in a ``Location`` header would split the
header), and some servers decode ``%5C`` and ``%2F`` before routing; so a ``next`` is followed
only when it is a plain absolute path: one leading ``/``, no scheme, no host, no backslash and
no control character, neither as sent nor once percent-decoded. Anything else gives the
caller's default.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2048
DECODE_ROUNDS = 3  # %255C → %5C → \: decoded until it stops changing, this many times at most


def _plain_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return False
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def safe_next(value: str | None, default: str) -> str:
    """``value`` when it is a path of this site (``/digicert/redeem?vc=…``), else ``default``."""
    if not value or len(value) > MAX_LENGTH:
        return default
    seen = value
    for _ in range(DECODE_ROUNDS):
        if not _plain_path(seen):
            return default
        decoded = unquote(seen)
        if decoded == seen:
            return value
        seen = decoded
    return value if _plain_path(seen) else default
