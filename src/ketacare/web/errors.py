"""One error mapping for the whole app: JSON problems under /api, HTML pages or htmx fragments
elsewhere. Domain errors say what to fix; anything unexpected is logged with the request id and
answered with a generic 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketacare.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    Unauthenticated,
)
from ketacare.services.request_context import current_request_id

log = logging.getLogger("ketacare.web")

STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    RuleViolation: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
}
TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Check the input",
    429: "Too many requests",
    500: "Something went wrong",
}


def status_for(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    errors: list[dict[str, Any]] | None = None,
    findings: list[dict[str, object]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The one JSON error shape (RFC 9457 problem details plus `code`, `errors`, `findings`)."""
    body: dict[str, Any] = {
        "type": f"https://ketacare.example/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
        "request_id": current_request_id(),
    }
    if findings is not None:
        body["findings"] = findings
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def _page_error(
    request: Request, status: int, detail: str, *, findings: list[dict[str, object]] | None = None
) -> Response:
    from ketacare.web.templating import render

    if status == 401:
        return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
    template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
    return render(
        request,
        template,
        {
            "status": status,
            "title": TITLES.get(status, "Error"),
            "detail": detail,
            "findings": findings or [],
        },
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> Response:
        status = status_for(error)
        findings = (
            [f.as_dict() for f in error.findings] if isinstance(error, RuleViolation) else None
        )
        if is_api(request):
            errors = [{"field": error.field, "message": error.message}] if error.field else []
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return problem(
                status,
                error.message,
                code=error.code,
                errors=errors,
                findings=findings,
                headers=headers,
            )
        return _page_error(request, status, error.message, findings=findings)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        errors = [_describe(e) for e in error.errors()]
        if any(e["type"] == "json_invalid" for e in errors):
            detail = "the request body is not valid JSON: " + errors[0]["message"]
            return problem(400, detail, code="malformed_json", errors=errors)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        if is_api(request):
            return problem(422, detail, code="invalid_input", errors=errors)
        return _page_error(request, 422, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        detail = str(error.detail) if error.detail else TITLES.get(error.status_code, "Error")
        if error.status_code == 404 and detail == "Not Found":
            detail = f"there is nothing at {request.url.path}"
        if is_api(request):
            return problem(
                error.status_code,
                detail,
                code=f"http_{error.status_code}",
                headers=getattr(error, "headers", None),
            )
        return _page_error(request, error.status_code, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error (request %s)", current_request_id())
        detail = f"an unexpected error occurred; quote request id {current_request_id()}"
        if is_api(request):
            return problem(500, detail, code="internal_error")
        return _page_error(request, 500, detail)


def _describe(error: Any) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
    field = ".".join(location) or "body"
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{error.get('input')!r} is not one of {expected}"
    return {"field": field, "message": message, "type": error.get("type", "")}
