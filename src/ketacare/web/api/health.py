"""Liveness and readiness: /healthz answers when the app runs and the database answers."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from ketacare import __version__
from ketacare.web.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: SessionDep) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
