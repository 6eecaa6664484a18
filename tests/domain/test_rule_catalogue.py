"""docs/clinical-rules.md is generated from the code; every rule and threshold cites a source."""

from __future__ import annotations

from pathlib import Path

from ketacare.domain.catalogue import load_all_rules, render_rules_document
from ketacare.domain.policy import ClinicPolicy

DOC = Path(__file__).resolve().parents[2] / "docs" / "clinical-rules.md"


def test_every_rule_has_a_statement_and_a_source_with_a_citation() -> None:
    rules = load_all_rules()
    assert len(rules) > 50
    lacking = [
        r.id for r in rules.values() if not r.statement.strip() or not r.source.citation.strip()
    ]
    assert lacking == []


def test_every_threshold_has_a_statement_a_unit_and_a_source() -> None:
    lacking = [
        v.key
        for v in ClinicPolicy().values()
        if not v.info.statement.strip() or not v.info.source.citation.strip()
    ]
    assert lacking == []


def test_every_rule_reads_only_declared_policy_values() -> None:
    keys = {v.key for v in ClinicPolicy().values()}
    unknown = {(r.id, p) for r in load_all_rules().values() for p in r.params if p not in keys}
    assert unknown == set()


def test_the_clinical_rules_document_is_up_to_date() -> None:
    assert DOC.exists(), "run `ketacare docs rules` to generate docs/clinical-rules.md"
    assert DOC.read_text() == render_rules_document(), (
        "docs/clinical-rules.md is stale: run `ketacare docs rules`"
    )
