"""Dead letters (operator): tasks that failed their last retry and outbox events the relay gave
up on, across tenants, newest first, each with a retry button. The rules live in
``core.schedules.dead_letters``; retrying a task sends it again through the web app's Celery
client (``workers.tasks.schedules.retry_dead_letter``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from core.errors import NotFound
from core.schedules.dead_letters import list_dead_letters
from web.controllers.auth import FORM, redirect
from web.operator.session import SignedInOperator, signed_in_operator
from web.operator.tenants import moment
from web.pages import render, translator
from web.sessions import Area
from workers.tasks.schedules import retry_dead_letter


@dataclass
class RetryForm:
    csrf_token: str = ""


class DeadLetterController(Controller):
    path = "/operator/dead-letters"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        language = translator(request).language
        letters = [
            {
                "letter": letter,
                "created": moment(letter.created_at, language),
                "retried": moment(letter.retried_at, language),
            }
            for letter in await list_dead_letters()
        ]
        return render(
            request,
            "pages/operator/dead_letters.html",
            area=Area.OPERATOR.value,
            section="dead_letters",
            person=me.person,
            letters=letters,
            notice=request.query_params.get("notice", ""),
        )

    @post("/{letter_id:int}/retry")
    async def retry(
        self, request: Request[Any, Any, Any], letter_id: FromPath[int], data: RetryForm = FORM
    ) -> Response[Any]:
        me = await signed_in_operator(request)
        if not isinstance(me, SignedInOperator):
            return me
        try:
            web = request.app.state.web
            await retry_dead_letter(web.celery, letter_id, web.clock)
        except NotFound:
            return render(request, "pages/auth/message.html", status=404, kind="operator.not_found")
        return redirect("/operator/dead-letters?notice=retried")
