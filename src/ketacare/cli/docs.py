"""`ketacare docs rules`: regenerate docs/clinical-rules.md from the rule registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ketacare.cli.common import console
from ketacare.db.migrate import PROJECT_ROOT

app = typer.Typer(help="Generated documentation.", no_args_is_help=True)


@app.command("rules")
def rules(
    output: Annotated[Path, typer.Option(help="where to write")] = PROJECT_ROOT
    / "docs"
    / "clinical-rules.md",
) -> None:
    """Write the clinical rules document (rules, thresholds with defaults, sources)."""
    from ketacare.domain.catalogue import load_all_rules, render_rules_document

    output.write_text(render_rules_document())
    console.print(f"wrote {output} ({len(load_all_rules())} rules)")
