"""HTML routers (Jinja2 + htmx). Each concept module exposes `router`; register it here."""

from __future__ import annotations

from fastapi import FastAPI

from ketacare.web.pages import admin, auth, finder, home, invite


def include_routers(app: FastAPI) -> None:
    for module in (auth, home, admin, invite, finder):
        app.include_router(module.router)
