"""The application factory: `create_app(settings)` wires the doors to the services."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from ketacare import __version__
from ketacare.config import Settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.services.clock import Clock, SystemClock
from ketacare.services.request_context import new_request_id, set_request_id
from ketacare.web import api, pages
from ketacare.web.errors import install_error_handlers

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("ketacare.web")


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app. Tests pass their own session factory (bound to a rolled-back connection)
    and a fixed clock; production builds both from the settings."""
    app = FastAPI(
        title="ketacare",
        version=__version__,
        summary="Ketamine therapy clinics: screening, plans, monitored sessions, outcomes.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.session_factory = session_factory or make_session_factory(make_engine(settings))

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="ketacare_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies or settings.is_production,
    )

    @app.middleware("http")
    async def request_id_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else new_request_id()
        set_request_id(request_id)
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    api.include_routers(app)
    pages.include_routers(app)
    return app
