"""An API documentation page rendered on the server from the OpenAPI schema: no CDN, no JS."""

from __future__ import annotations

from typing import Any

import jinja2
from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

METHODS = ("get", "post", "put", "patch", "delete")


class OfflineDocsPlugin(OpenAPIRenderPlugin):
    """Serves ``<openapi path>/docs``: every operation with its parameters, bodies and examples."""

    def __init__(self, env: jinja2.Environment, path: str = "/docs") -> None:
        super().__init__(path=path, media_type="text/html")
        self.env = env

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        blank = {
            "summary": "",
            "description": "",
            "parameters": [],
            "requestBody": None,
            "responses": {},
            "operationId": "",
        }
        operations = [
            {**blank, "method": method.upper(), "path": path, **operation}
            for path, item in sorted(openapi_schema.get("paths", {}).items())
            for method, operation in item.items()
            if method in METHODS
        ]
        html = self.env.get_template("api_docs.html").render(
            info={"description": "", **openapi_schema.get("info", {})},
            schemas=openapi_schema.get("components", {}).get("schemas", {}),
            operations=operations,
            json_url=self.get_openapi_json_route(request),
        )
        return html.encode()
