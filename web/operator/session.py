"""The signed-in operator of a request, and the actor their actions are recorded under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response

from core.context import Actor, ActorKind
from tenants.tables import Operator
from web.controllers.auth import client_ip, signed_in
from web.sessions import Area, SessionView


@dataclass(frozen=True)
class SignedInOperator:
    id: int
    email: str
    display_name: str
    actor: Actor

    @property
    def person(self) -> dict[str, str]:
        return {"display_name": self.display_name, "email": self.email}


async def signed_in_operator(request: Request[Any, Any, Any]) -> SignedInOperator | Response[Any]:
    """The operator signed in on this browser, or the response to send instead (sign-in)."""
    found = await signed_in(request, Area.OPERATOR)
    if not isinstance(found, SessionView):
        return found
    row = await Operator.objects().where(Operator.id == found.account_id).first()
    name = row.display_name if row else ""
    actor = Actor(ActorKind.OPERATOR, str(found.account_id), name, None, client_ip(request))
    return SignedInOperator(found.account_id, found.email, name, actor)
