"""Image files for the logo tests, made with Pillow (real PNG, JPEG and GIF bytes)."""

from __future__ import annotations

import io
import os

from PIL import Image

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<script>alert(1)</script><rect width="64" height="64"/></svg>'
)


def picture(kind: str = "PNG", size: tuple[int, int] = (120, 40), noise: bool = False) -> bytes:
    """An image of ``kind``; ``noise``: random pixels (a large, incompressible file)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (31, 78, 121))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()
