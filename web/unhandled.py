"""The last exception handler: what no other handler answered.

Refusals are not errors: a 404 or 422 answered by a route's handler (``NotFound``,
``ValidationFailed``) or an ``HTTPException`` under 500 is answered as usual and logged as
nothing more than its request line. Only a real server error is logged, once, with its
traceback (and the request id the log context carries), and answered with a bare 500 that
tells the caller nothing about the inside.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, InternalServerException
from litestar.exceptions.responses import create_exception_response

from web.api.errors import routing_error

log = logging.getLogger("shomei.web")


def unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return routing_error(request, exc)  # in the API's shape under /api/
    log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    answer = exc if isinstance(exc, HTTPException) else InternalServerException()
    return create_exception_response(request, answer)
