"""JSON routers under /api. Each concept module exposes `router`; register it here."""

from __future__ import annotations

from fastapi import FastAPI

from ketacare.web.api import audit, auth, health, patients


def include_routers(app: FastAPI) -> None:
    app.include_router(health.router)
    for module in (auth, patients, audit):
        app.include_router(module.router, prefix="/api")
