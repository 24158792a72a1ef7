"""Colour contrast (WCAG 2): the ratio of two ``#RRGGBB`` colours, and which text colour reads
on a background. A brand's colours are checked with it (``tenants.branding``) and buttons pick
their text colour with it (pages' ``/brand/colours.css``, mails)."""

from __future__ import annotations

WHITE = "#FFFFFF"
DARK_INK = "#1D2433"


def luminance(colour: str) -> float:
    """The relative luminance of ``#RRGGBB`` (0 black to 1 white)."""

    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def ink_for(background: str) -> str:
    """White or dark text, whichever reads better on ``background`` (white when unreadable)."""
    try:
        return WHITE if contrast(background, WHITE) >= contrast(background, DARK_INK) else DARK_INK
    except (ValueError, IndexError):
        return WHITE
