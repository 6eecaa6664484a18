"""Server-side forms for the pages: what was typed, the errors beside their fields, and service
calls that change nothing when they fail.

Pages work without JavaScript: a form posts, and on a refusal the page is rendered again (status
422) with the typed values kept and the error beside the field it names. `attempt` runs the
service call inside a savepoint, so a refusal half-way through a service undoes whatever the call
had flushed while the request's own unit of work (and its audit of the refusal) carries on.
`submit` is the whole answer to a form post: the call, then a 303 or the page again with 422.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ketacare.domain.errors import Conflict, DomainError, InvalidInput, RuleViolation

# Refusals about what was typed or the state of things; NotFound and Forbidden are not form
# errors and go to the one error mapping (404/403 page).
FORM_ERRORS = (InvalidInput, RuleViolation, Conflict)

T = TypeVar("T")


@dataclass
class FormState:
    """Values as typed (strings) and errors keyed by field name; `message` heads the form."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    @classmethod
    def of(cls, values: Mapping[str, object]) -> FormState:
        return cls({k: "" if v is None else str(v) for k, v in values.items()})

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    def add(self, name: str | None, message: str) -> None:
        if name:
            self.errors.setdefault(name, message)
        if self.message is None:
            self.message = message

    @property
    def ok(self) -> bool:
        return not self.errors and self.message is None

    def refuse(self, error: DomainError, aliases: Mapping[str, str] | None = None) -> None:
        """Put a service's refusal beside the field it names (`aliases` maps a service field
        name to the form's input name)."""
        name = error.field
        if name and aliases:
            name = aliases.get(name, name)
        message = error.message
        if isinstance(error, RuleViolation) and error.findings:
            message = "; ".join(f.message for f in error.findings)
        self.add(name, message)


def attempt(
    session: Session,
    call: Callable[[], T],
    form: FormState,
    aliases: Mapping[str, str] | None = None,
) -> T | None:
    """Run `call` in a savepoint; on a refusal (InvalidInput, RuleViolation, Conflict) undo its
    writes, record the error on `form` and return None. Other errors propagate."""
    savepoint = session.begin_nested()
    try:
        result = call()
    except FORM_ERRORS as error:
        savepoint.rollback()
        form.refuse(error, aliases)
        return None
    savepoint.commit()
    return result


def submit(
    session: Session,
    form: FormState,
    call: Callable[[], T],
    *,
    then: str | Callable[[T], str],
    again: Callable[[], Response],
    aliases: Mapping[str, str] | None = None,
) -> Response:
    """Answer a form post: run `call` through `attempt` unless the typed values were already
    refused, then 303 to `then` (a URL, or a function of the call's result giving it) on
    success, or `again()` — the page rendered again with `form`, status 422 — on a refusal."""
    result = attempt(session, call, form, aliases) if form.ok else None
    if not form.ok:
        return again()
    # On success `result` is the call's own result (None only where the call returns None).
    url = then if isinstance(then, str) else then(cast(T, result))
    return RedirectResponse(url, status_code=303)
