"""CSRF protection for pages: a per-session token, checked on every form post.

Forms carry it as a hidden `csrf_token` field; htmx requests send it in the X-CSRF-Token header
(set once on <body hx-headers>). The JSON API uses bearer tokens, which browsers never attach on
their own, so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from ketacare.domain.errors import Forbidden

SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    if "session" not in request.scope:
        return ""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Dependency for page POST routes: refuse the post unless it carries this session's token."""
    expected = request.session.get(SESSION_KEY, "")
    sent = request.headers.get("X-CSRF-Token", "")
    if not sent:
        form = await request.form()
        value = form.get("csrf_token", "")
        sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise Forbidden(
            "the form has expired or did not come from this site (missing or wrong "
            "CSRF token); reload the page and try again"
        )
