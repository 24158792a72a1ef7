"""``GET /favicon.ico`` on every host (base domain and tenant hosts): a small neutral icon (a
grey disc with a tick), no shomei branding, so a tenant's customers see nothing of shomei in
their tab and no host logs a 404 for the browser's automatic request."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get

ICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"
MAX_AGE = 86_400


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> Response[bytes]:
    return Response(
        ICON.read_bytes(),
        media_type="image/x-icon",
        headers={"Cache-Control": f"public, max-age={MAX_AGE}"},
    )
