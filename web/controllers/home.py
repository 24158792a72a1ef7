"""The landing page a person sees when ``shomei up`` says where to open it."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Template

from web.i18n import translator_for
from web.state import WebState


class HomeController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, state: State) -> Template:
        web: WebState = state.web
        _ = translator_for(request, web)
        return Template("pages/home.html", context={"_": _, "lang": _.language, **web.extra()})
