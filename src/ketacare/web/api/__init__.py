"""JSON routers under /api. Each concept module exposes `router`; register it here."""

from __future__ import annotations

from fastapi import FastAPI

from ketacare.web.api import (
    audit,
    auth,
    care,
    check_ins,
    consent,
    controlled_substances,
    courses,
    finder,
    forecast,
    health,
    intake,
    invitations,
    patients,
    screening,
    sessions,
)


def include_routers(app: FastAPI) -> None:
    app.include_router(health.router)
    for module in (auth, patients, audit):
        app.include_router(module.router, prefix="/api")
    for module in (invitations, intake, screening, consent, courses):
        app.include_router(module.router, prefix="/api")
    app.include_router(sessions.router, prefix="/api")
    app.include_router(sessions.alerts_router, prefix="/api")
    app.include_router(controlled_substances.router, prefix="/api")
    app.include_router(finder.router, prefix="/api")
    app.include_router(care.router, prefix="/api")
    app.include_router(check_ins.router, prefix="/api")
    app.include_router(check_ins.patients_router, prefix="/api")
    app.include_router(forecast.router, prefix="/api")  # sessions-to-response forecast
