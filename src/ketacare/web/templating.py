"""Jinja2 templates shared by every page, with the current user and CSRF token in context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ketacare.web.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    values: dict[str, Any] = {
        "current_user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "is_htmx": bool(request.headers.get("HX-Request")),
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)
