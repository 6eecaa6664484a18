"""Jinja2 templates shared by every page, with the current user and CSRF token in context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.routing import Match

from ketacare.web.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


STAFF_NAV = (
    ("/", "Today"),
    ("/patients", "Patients"),
    ("/schedule", "Schedule"),
    ("/controlled-substances", "Controlled substances"),
    ("/care-queue", "Care queue"),
    ("/check-ins", "Check-ins"),
    ("/report", "Outcomes"),
)


ROUTE_LABELS = {
    "iv": "IV ketamine",
    "im": "IM ketamine",
    "esketamine_nasal": "Esketamine nasal spray",
    "sublingual": "Sublingual ketamine",
}


def route_label(route: object) -> str:
    """A route as people say it ("IV ketamine"), for every page (a Jinja global)."""
    value = str(getattr(route, "value", route))
    return ROUTE_LABELS.get(value, value)


templates.env.globals["route_label"] = route_label


def _serves(app: Any, path: str) -> bool:
    """Whether a GET of `path` reaches a route (asked through the routes' own matching, so it
    also sees routes of included routers)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "app": app}
    return any(route.matches(scope)[0] is Match.FULL for route in app.routes)


def _staff_nav(request: Request) -> list[tuple[str, str]]:
    """Only links to pages this build serves (pages arrive concept by concept)."""
    cache: dict[str, bool] = request.app.state.__dict__.setdefault("_nav_served", {})
    for href, _ in STAFF_NAV:
        if href not in cache:
            cache[href] = _serves(request.app, href)
    return [(href, label) for href, label in STAFF_NAV if cache[href]]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    values: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "is_htmx": bool(request.headers.get("HX-Request")),
        "staff_nav": _staff_nav(request),
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)
