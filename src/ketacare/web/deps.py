"""Request dependencies: the unit of work, the clock, and who is acting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.db.uow import unit_of_work
from ketacare.domain.errors import Unauthenticated
from ketacare.services import auth
from ketacare.services.actors import Actor
from ketacare.services.clock import Clock


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_db(request: Request) -> Iterator[Session]:
    """The request owns its transaction: commit on success, before the response is sent."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/auth/token")


def api_actor(
    session: SessionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The API's actor, from `Authorization: Bearer <token>`."""
    if credentials is None:
        raise Unauthenticated(
            "this endpoint needs `Authorization: Bearer <token>`; get one from POST /api/auth/token"
        )
    return auth.actor_for_token(session=session, clock=clock, token=credentials.credentials)


def page_actor_optional(request: Request, session: SessionDep) -> Actor | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    actor = auth.actor_for_user_id(session=session, user_id=user_id)
    if actor is None:
        request.session.clear()
        return None
    request.state.user = actor
    request.state.user_name = request.session.get("user_name", actor.label)
    return actor


def page_actor(actor: Annotated[Actor | None, Depends(page_actor_optional)]) -> Actor:
    """The signed-in user of a page; without one, the error mapping redirects to sign-in."""
    if actor is None:
        raise Unauthenticated("please sign in")
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
OptionalPageActor = Annotated[Actor | None, Depends(page_actor_optional)]
