"""`ketacare sessions day|overdue` and `ketacare cs receive|balance|reconcile`: the operator's
view of the chairs and the controlled-substance log (same services as the API, audited)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.cli.common import console, err_console, session_scope
from ketacare.db.models import Clinic, Drug
from ketacare.domain.errors import DomainError
from ketacare.services import controlled_substances as cs
from ketacare.services import session_day, vitals_ingest
from ketacare.services.actors import Actor
from ketacare.services.clock import SystemClock

app = typer.Typer(help="Sessions: the day's chairs and overdue readings.", no_args_is_help=True)
cs_app = typer.Typer(help="Controlled-substance log.", no_args_is_help=True)
ClinicOption = Annotated[str, typer.Option(help="the clinic's short name (slug)")]


@contextmanager
def _clinic_scope(slug: str) -> Iterator[tuple[Session, Actor]]:
    try:
        with session_scope() as session:
            found = session.scalar(select(Clinic).where(Clinic.slug == slug))
            if found is None:
                raise typer.BadParameter(f"no clinic with the short name {slug!r}")
            yield session, Actor.system("cli", found.id)
    except DomainError as error:
        where = f" ({error.field})" if error.field else ""
        err_console.print(f"[red]error{where}:[/red] {error.message}")
        raise typer.Exit(code=2) from None


@app.command("day")
def day_command(
    clinic: ClinicOption,
    day: Annotated[str, typer.Option(help="YYYY-MM-DD (default today)")] = "",
) -> None:
    """Every chair with its sessions on a day."""
    when = date.fromisoformat(day) if day else date.today()
    with _clinic_scope(clinic) as (session, actor):
        chairs = session_day.day_view(session=session, actor=actor, clock=SystemClock(), day=when)
        table = Table("chair", "session", "patient", "route", "start", "end", "status")
        for chair in chairs:
            for s in chair.sessions:
                table.add_row(
                    chair.chair.name,
                    str(s.id),
                    str(s.patient_id),
                    s.route.value,
                    f"{s.scheduled_start:%H:%M}",
                    f"{s.scheduled_end:%H:%M}",
                    s.status.value,
                )
        console.print(table)


@app.command("overdue")
def overdue_command(clinic: ClinicOption) -> None:
    """Sessions whose next vital-signs reading is overdue now."""
    with _clinic_scope(clinic) as (session, actor):
        lines = vitals_ingest.overdue_report(session=session, actor=actor, clock=SystemClock())
        for line in lines:
            console.print(f"session {line.session.id}: {line.status.findings[-1].message}")
        console.print(f"{len(lines)} overdue")


@cs_app.command("receive")
def receive_command(
    clinic: ClinicOption,
    drug: Annotated[Drug, typer.Option(help="ketamine_hcl or esketamine")],
    lot: Annotated[str, typer.Option(help="lot number")],
    expiry: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    quantity_mg: Annotated[float, typer.Option(help="mg of drug received")],
) -> None:
    """Record stock received into a lot."""
    with _clinic_scope(clinic) as (session, actor):
        entry = cs.receive_stock(
            session=session,
            actor=actor,
            clock=SystemClock(),
            drug=drug,
            lot_number=lot,
            expiry=date.fromisoformat(expiry),
            quantity_mg=quantity_mg,
        )
        console.print(
            f"[green]received[/green] {quantity_mg:g} mg into lot {lot} (entry {entry.id})"
        )


@cs_app.command("balance")
def balance_command(clinic: ClinicOption) -> None:
    """The perpetual balance of every lot."""
    with _clinic_scope(clinic) as (session, actor):
        table = Table("lot", "drug", "expiry", "received mg", "drawn mg", "balance mg")
        for b in cs.lot_balances(session=session, actor=actor, clock=SystemClock()):
            table.add_row(
                b.lot.lot_number,
                b.lot.drug.value,
                b.lot.expiry.isoformat(),
                f"{b.received_mg:g}",
                f"{b.drawn_mg:g}",
                f"{b.balance_mg:g}",
            )
        console.print(table)


@cs_app.command("reconcile")
def reconcile_command(
    clinic: ClinicOption,
    since: Annotated[str, typer.Option(help="ISO date-time with timezone")] = "",
    until: Annotated[str, typer.Option(help="ISO date-time with timezone")] = "",
) -> None:
    """Compare the log with the sessions' doses; exit code 1 when there is a discrepancy."""
    with _clinic_scope(clinic) as (session, actor):
        report = cs.reconcile(
            session=session,
            actor=actor,
            clock=SystemClock(),
            since=datetime.fromisoformat(since) if since else None,
            until=datetime.fromisoformat(until) if until else None,
        )
        for line in report.discrepancies:
            console.print(
                f"[red]session {line.session_id}, lot {line.lot_id}:[/red] {line.discrepancy}"
            )
        console.print(
            f"{len(report.lines)} session lines, {len(report.discrepancies)} discrepancies"
        )
    if not report.balanced:
        raise typer.Exit(code=1)
