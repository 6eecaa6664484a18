"""Findings: how every clinical decision explains itself.

A finding names the rule that produced it, how serious it is, a plain sentence a clinician can
read aloud, and the source the rule rests on. Rules are declared once (`rule(...)`), registered
in `RULES`, and turned into findings with `Rule.finding(...)` so the id and source can never drift
apart from the rule's statement. `docs/clinical-rules.md` is generated from this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ketacare.domain.sources import Source


class Severity(StrEnum):
    """How much a finding matters, in ascending order of urgency.

    info: noted, nothing to do. caution: proceed, with attention. review: a prescriber must
    decide before going on. hold: stop until a prescriber decides. act: staff must act now.
    block: not permitted; no override. emergency: call for emergency help. urgent: a safety
    escalation to the clinic at once (e.g. a positive suicide item).
    """

    INFO = "info"
    CAUTION = "caution"
    REVIEW = "review"
    HOLD = "hold"
    ACT = "act"
    BLOCK = "block"
    EMERGENCY = "emergency"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = list(Severity)


@dataclass(frozen=True)
class Finding:
    """One reason behind a decision."""

    rule_id: str
    severity: Severity
    message: str
    source: Source
    data: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source.citation,
            "source_url": self.source.url,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class Rule:
    """A clinical rule: an id, what it says, the source, and the policy fields it reads."""

    id: str
    statement: str
    source: Source
    params: tuple[str, ...] = ()

    def finding(self, severity: Severity, message: str, **data: object) -> Finding:
        return Finding(self.id, severity, message, self.source, dict(data))


RULES: dict[str, Rule] = {}


def rule(rule_id: str, statement: str, source: Source, *, params: tuple[str, ...] = ()) -> Rule:
    """Declare and register a rule. Ids are unique; declaring one twice is a programming error."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id!r} is declared twice")
    declared = Rule(rule_id, statement, source, params)
    RULES[rule_id] = declared
    return declared


def worst(findings: tuple[Finding, ...] | list[Finding]) -> Severity | None:
    """The most serious severity among the findings, or None when there are none."""
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)
