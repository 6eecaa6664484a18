"""`ketacare report` and `ketacare simulate-policy`: outcome statistics from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ketacare.cli.common import console


def report(
    out: Annotated[Path, typer.Option(help="the self-contained HTML file to write")] = Path(
        "outcome-report.html"
    ),
    synthetic: Annotated[
        int,
        typer.Option(
            help="patients in the synthetic cohort the report runs on", min=10, max=200_000
        ),
    ] = 2000,
    seed: Annotated[int, typer.Option(help="the cohort's random seed")] = 7,
    instrument: Annotated[str, typer.Option(help="GAD-7 or PHQ-9")] = "GAD-7",
    clinic: Annotated[
        str | None,
        typer.Option(help="report on this clinic's own records (its short name, e.g. harbor)"),
    ] = None,
    from_db: Annotated[
        bool,
        typer.Option("--from-db", help="report on the database's clinic (when it holds one)"),
    ] = False,
) -> None:
    """Write the clinic outcome report (response and remission by session count, sessions to
    response, Kaplan–Meier time to relapse, breakdowns, adverse events) as one HTML file.

    It runs on a seeded synthetic cohort calibrated to published figures (docs/simulation.md),
    or with --clinic/--from-db on a clinic's own records; every figure states its definition."""
    from ketacare.analytics.export import render_report_html
    from ketacare.analytics.report import outcome_report
    from ketacare.simulation import simulate_cohort

    if instrument not in ("GAD-7", "PHQ-9"):
        raise typer.BadParameter("choose GAD-7 or PHQ-9", param_hint="--instrument")
    if clinic is not None or from_db:
        _report_from_db(out, clinic, instrument)
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        step = progress.add_task("simulating the cohort", total=3)
        cohort = simulate_cohort(synthetic, seed)
        progress.update(step, advance=1, description="computing the figures and charts")
        result = outcome_report(
            cohort.scores, cohort.sessions, cohort.patients, instrument=instrument
        )
        progress.update(step, advance=1, description="writing the HTML file")
        html = render_report_html(
            result,
            title="Clinic outcome report",
            subtitle=f"synthetic cohort of {synthetic:,} patients (seed {seed})",
            generated_at=datetime.now(UTC),
        )
        out.write_text(html)
        progress.update(step, advance=1, description="done")
    console.print(f"[green]wrote[/green] {out} ({len(html) // 1024} KiB)")


def _report_from_db(out: Path, slug: str | None, instrument: str) -> None:
    """The report of one clinic's records (the read is audited as the CLI's)."""
    from sqlalchemy import select

    from ketacare.cli.common import session_scope
    from ketacare.db.models import Clinic
    from ketacare.services.actors import Actor
    from ketacare.services.clock import SystemClock
    from ketacare.services.outcome_report import clinic_outcome_report, export_html

    with session_scope() as session:
        query = select(Clinic) if slug is None else select(Clinic).where(Clinic.slug == slug)
        found = session.scalars(query.limit(2)).all()
        if slug is not None and not found:
            raise typer.BadParameter(
                f"no clinic with the short name {slug!r}", param_hint="--clinic"
            )
        if len(found) != 1:
            raise typer.BadParameter(
                "the database holds several clinics (or none): name one with --clinic",
                param_hint="--from-db",
            )
        target = found[0]
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as progress:
            step = progress.add_task(f"reading {target.name}'s records", total=2)
            report = clinic_outcome_report(
                session=session,
                actor=Actor.system("cli report", target.id),
                clock=SystemClock(),
                instrument=instrument,
                clinic_id=target.id,
            )
            progress.update(step, advance=1, description="writing the HTML file")
            html = export_html(report)
            out.write_text(html)
            progress.update(step, advance=1, description="done")
    console.print(f"[green]wrote[/green] {out} ({len(html) // 1024} KiB): {report.subtitle}")


def simulate_policy(
    patients: Annotated[
        int, typer.Option(help="synthetic patients", min=100, max=200_000)
    ] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    chart: Annotated[Path | None, typer.Option(help="also write the chart as SVG")] = None,
) -> None:
    """Compare fixed-interval boosters (every 2, 3, 4 weeks) with symptom-triggered boosters
    (the clinical core's rule) on one synthetic cohort: sessions used per patient-year against
    days in remission."""
    from ketacare.analytics.charts import booster_policy_chart_svg
    from ketacare.simulation.boosters import BOOSTER_TABLE_DEFINITION, compare_booster_policies

    with console.status(f"simulating a year of maintenance for {patients:,} patients…"):
        table = compare_booster_policies(patients, seed)
    out = Table(title="Booster policies (per patient-year after loading)")
    for column in (
        "policy",
        "maintained patients",
        "booster sessions",
        "days in remission",
        "days in response",
    ):
        out.add_column(column, justify="left" if column == "policy" else "right")
    for row in table.itertuples():
        out.add_row(
            row.policy,
            f"{row.maintained_patients:,}",
            f"{row.sessions_per_patient_year:.1f}",
            f"{row.remission_days_per_patient_year:.0f}",
            f"{row.response_days_per_patient_year:.0f}",
        )
    console.print(out)
    console.print(f"[dim]{BOOSTER_TABLE_DEFINITION}[/dim]")
    if chart is not None:
        chart.write_text(booster_policy_chart_svg(table, definition=BOOSTER_TABLE_DEFINITION))
        console.print(f"[green]wrote[/green] {chart}")
