"""`ketacare finder import-samhsa | import FILE | export | search`: the public directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ketacare.cli.common import console, err_console, session_scope
from ketacare.domain.errors import DomainError
from ketacare.finder.report import ImportReport
from ketacare.finder.samhsa import SAMHSA_ATTRIBUTION
from ketacare.finder.zips import ZIP_ATTRIBUTION
from ketacare.services import finder, finder_import
from ketacare.services.clock import SystemClock

app = typer.Typer(help="The public facility finder's directory.", no_args_is_help=True)


def _fail(error: DomainError) -> None:
    where = f" ({error.field})" if error.field else ""
    err_console.print(f"[red]error{where}:[/red] {error.message}")
    raise typer.Exit(code=2)


def _print_report(report: ImportReport, limit: int = 20) -> None:
    console.print(report.summary())
    for rejected in report.rejected[:limit]:
        console.print(f"  [yellow]rejected[/yellow] {rejected.describe()}")
    if len(report.rejected) > limit:
        console.print(f"  … and {len(report.rejected) - limit} more rejected rows")
    for warning in report.warnings[:limit]:
        console.print(f"  [dim]warning[/dim] {warning}")


@app.command("import-samhsa")
def import_samhsa(
    ketamine_only: Annotated[
        bool, typer.Option(help="only the 104 facilities offering ketamine infusion")
    ] = False,
) -> None:
    """Load SAMHSA's 2022 directory (9,037 facilities) shipped with ketacare."""
    status = console.status("reading the SAMHSA directory and placing facilities by ZIP code…")
    with status, session_scope() as session:
        result = finder_import.import_samhsa(
            session=session,
            clock=SystemClock(),
            actor_label="cli",
            ketamine_only=ketamine_only,
        )
    _print_report(result.report)
    console.print(
        f"[green]directory updated[/green]: {result.created} added, "
        f"{result.updated} updated, {result.removed} removed"
    )
    console.print(f"[dim]{SAMHSA_ATTRIBUTION}[/dim]")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str, typer.Option(help="auto, csv, locator or fhir")] = "auto",
    all_or_nothing: Annotated[
        bool, typer.Option(help="import nothing if any row is rejected")
    ] = False,
) -> None:
    """Import listings from a finder CSV, FindTreatment.gov locator JSON or a FHIR Bundle.

    Every row is checked; good rows go in, each bad row is reported. The whole file is applied
    in one transaction.
    """
    content = file.read_text(encoding="utf-8-sig")
    try:
        with session_scope() as session:
            result = finder_import.import_file(
                session=session,
                clock=SystemClock(),
                actor_label="cli",
                content=content,
                fmt=format,
                source_name=file.name,
                all_or_nothing=all_or_nothing,
            )
    except DomainError as error:
        _fail(error)
        return
    _print_report(result.report)
    if not result.applied:
        err_console.print("[red]nothing imported[/red]: some rows were rejected (--all-or-nothing)")
        raise typer.Exit(code=1)
    console.print(f"[green]imported[/green]: {result.created} added, {result.updated} updated")


@app.command("export")
def export(
    format: Annotated[str, typer.Option(help="csv, locator or fhir")] = "csv",
    output: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
    all_facilities: Annotated[
        bool, typer.Option(help="include facilities that do not offer ketamine")
    ] = False,
) -> None:
    """Write the directory as finder CSV, locator JSON or a FHIR Bundle."""
    try:
        with session_scope() as session:
            text = finder.export_directory(
                session=session, fmt=format, ketamine_only=not all_facilities
            )
    except DomainError as error:
        _fail(error)
        return
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"[green]wrote[/green] {output}")


@app.command("search")
def search_command(
    zip_code: Annotated[str, typer.Argument(metavar="ZIP", help="US ZIP code")],
    radius_miles: Annotated[float, typer.Option(help="search radius in miles")] = 50.0,
    k: Annotated[int, typer.Option(help="at most this many results")] = 10,
    all_facilities: Annotated[bool, typer.Option(help="not only ketamine providers")] = False,
) -> None:
    """The nearest listings to a ZIP code (a quick check of the directory)."""
    from ketacare.finder.index import SearchFilters

    try:
        with session_scope() as session:
            place = finder.resolve_origin(zip_code=zip_code)
            hits = finder.search(
                session=session,
                place=place,
                radius_miles=radius_miles,
                k=k,
                filters=SearchFilters(ketamine_only=not all_facilities),
            )
    except DomainError as error:
        _fail(error)
        return
    table = Table("miles", "name", "address", "routes", title=place.label)
    for hit in hits:
        x = hit.listing
        table.add_row(
            f"{hit.distance_miles:.1f}",
            x.display_name,
            x.address.one_line(),
            ", ".join(sorted(x.routes)),
        )
    console.print(table)
    console.print(f"[dim]{ZIP_ATTRIBUTION}[/dim]")
