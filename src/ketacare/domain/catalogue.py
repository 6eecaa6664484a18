"""The rule catalogue: every rule, threshold and source of the clinical core, as a document.

`render_rules_document()` produces docs/clinical-rules.md (a test fails when the committed file
is stale or a rule lacks a source). It imports every module of the core so that every rule
declared at module level is registered.
"""

from __future__ import annotations

import importlib
import pkgutil

import ketacare.domain as domain_package
from ketacare.domain.findings import RULES, Rule
from ketacare.domain.policy import ClinicPolicy, PolicyValue
from ketacare.domain.sources import SOURCES, Source


def load_all_rules() -> dict[str, Rule]:
    for module in pkgutil.iter_modules(domain_package.__path__):
        importlib.import_module(f"{domain_package.__name__}.{module.name}")
    return dict(sorted(RULES.items()))


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _source_label(source: Source) -> str:
    label = f"[{source.key}]({source.url})" if source.url else source.key
    return label if source.confirmed else f"{label} **UNCONFIRMED**"


def _value(v: PolicyValue) -> str:
    shown = ", ".join(str(x) for x in v.default) if isinstance(v.default, tuple) else v.default
    return f"{shown} {v.info.unit}".strip()


def render_rules_document() -> str:
    rules = load_all_rules()
    policy = ClinicPolicy()
    lines = [
        "# Clinical rules",
        "",
        "Generated from the code's rule registry by `ketacare docs rules` — do not edit by hand.",
        "A test fails when this file is stale or when a rule or threshold has no source.",
        "",
        "Values marked **UNCONFIRMED** rest on a source the clinical reference could not verify:",
        "they are clinic policy values that a prescriber must confirm before the clinic relies",
        "on them (the admin policy page lists them until confirmed).",
        "",
        f"## Thresholds ({sum(1 for _ in policy.values())} clinic-overridable policy values)",
        "",
        "| key | published default | statement | source | allowed override |",
        "|---|---|---|---|---|",
    ]
    for v in policy.values():
        bounds = ""
        if v.info.minimum is not None or v.info.maximum is not None:
            bounds = (
                f"{v.info.minimum if v.info.minimum is not None else '…'} – "
                f"{v.info.maximum if v.info.maximum is not None else '…'}"
            )
        lines.append(
            f"| `{v.key}` | {_cell(_value(v))} | {_cell(v.info.statement)} | "
            f"{_source_label(v.info.source)} | {bounds} |"
        )
    lines += [
        "",
        f"## Rules ({len(rules)})",
        "",
        "| id | statement | source | reads |",
        "|---|---|---|---|",
    ]
    for rule in rules.values():
        reads = ", ".join(f"`{p}`" for p in rule.params)
        lines.append(
            f"| `{rule.id}` | {_cell(rule.statement)} | {_source_label(rule.source)} | {reads} |"
        )
    lines += [
        "",
        f"## Sources ({len(SOURCES)})",
        "",
        "| key | citation | confirmed |",
        "|---|---|---|",
    ]
    for src in sorted(SOURCES.values(), key=lambda s: s.key):
        where = f" <{src.url}>" if src.url else ""
        lines.append(
            f"| `{src.key}` | {_cell(src.citation)}{where} | "
            f"{'yes' if src.confirmed else 'no — prescriber must confirm'} |"
        )
    return "\n".join(lines) + "\n"
