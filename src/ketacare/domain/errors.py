"""The one small error hierarchy. Doors map these to HTTP/HTML/CLI answers in one place each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ketacare.domain.findings import Finding


class DomainError(Exception):
    """Base of every error the core and the services raise on purpose."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """A value is outside what the rule accepts (names the field, says what would be valid)."""

    code = "invalid_input"


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it exists (no existence leak)."""

    code = "not_found"


class Conflict(DomainError):
    """The request collides with the current state (double booking, illegal transition…)."""

    code = "conflict"


class Forbidden(DomainError):
    """The actor is known and the thing is visible to them, but the action is not theirs to take."""

    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid credentials, or credentials refused."""

    code = "unauthenticated"


class RuleViolation(DomainError):
    """A clinical rule refuses the action; the findings say which rule and why."""

    code = "rule_violation"

    def __init__(
        self, message: str, findings: Sequence[Finding] = (), *, field: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.findings = tuple(findings)
