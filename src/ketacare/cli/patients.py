"""`ketacare patients list|show` and `ketacare screening show PATIENT` (operator reads, audited)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from ketacare.cli.common import console, err_console, session_scope
from ketacare.db.models import Clinic
from ketacare.domain.errors import DomainError
from ketacare.services import patients, screening
from ketacare.services.actors import Actor
from ketacare.services.clock import SystemClock
from ketacare.services.intake import current_intake

app = typer.Typer(help="Patients of a clinic.", no_args_is_help=True)
screening_app = typer.Typer(help="Eligibility screening.", no_args_is_help=True)


def _fail(error: DomainError) -> None:
    where = f" ({error.field})" if error.field else ""
    err_console.print(f"[red]error{where}:[/red] {error.message}")
    raise typer.Exit(code=2)


@app.command("list")
def list_command(
    clinic: Annotated[str, typer.Option(help="the clinic's short name (slug)")],
    search: Annotated[str, typer.Option(help="part of a name, email or phone")] = "",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """List a clinic's patients by family name."""
    with session_scope() as session:
        found = session.scalar(select(Clinic).where(Clinic.slug == clinic))
        if found is None:
            raise typer.BadParameter(f"no clinic with the short name {clinic!r}")
        rows, total = patients.list_patients(
            session=session,
            actor=Actor.system("cli", found.id),
            clock=SystemClock(),
            search=search,
            limit=limit,
        )
        table = Table("id", "name", "date of birth", "sex", "email", "phone")
        for p in rows:
            table.add_row(
                str(p.id),
                f"{p.family_name}, {p.given_name}",
                p.date_of_birth.isoformat(),
                p.sex,
                p.email,
                p.phone,
            )
        console.print(table)
        console.print(f"{len(rows)} of {total} patients")


@app.command("show")
def show_command(patient_id: Annotated[int, typer.Argument(help="the patient's id")]) -> None:
    """Show one patient's record, latest measurement and escort."""
    try:
        with session_scope() as session:
            p = patients.get_patient(
                session=session,
                actor=Actor.system("cli"),
                clock=SystemClock(),
                patient_id=patient_id,
            )
            latest, height = patients.latest_weight_and_height(session=session, patient_id=p.id)
            console.print(f"[bold]{p.display_name}[/bold] (patient {p.id}, clinic {p.clinic_id})")
            console.print(f"born {p.date_of_birth.isoformat()} · sex {p.sex}")
            console.print(f"email {p.email or '—'} · phone {p.phone or '—'}")
            if latest is not None:
                console.print(
                    f"weight {latest.weight_kg:g} kg on {latest.measured_on} · height {height:g} cm"
                    if height
                    else f"weight {latest.weight_kg:g} kg on {latest.measured_on}"
                )
            console.print(
                f"usual escort {p.usual_escort_name or '—'} {p.usual_escort_phone}".rstrip()
            )
            console.print(
                f"emergency contact {p.emergency_contact_name or '—'} "
                f"{p.emergency_contact_phone}".rstrip()
            )
    except DomainError as error:
        _fail(error)


@screening_app.command("show")
def screening_show(patient_id: Annotated[int, typer.Argument(help="the patient's id")]) -> None:
    """The patient's latest screening: verdict, review status and every finding."""
    try:
        with session_scope() as session:
            views, total = screening.list_screenings(
                session=session,
                actor=Actor.system("cli"),
                clock=SystemClock(),
                patient_id=patient_id,
                limit=1,
            )
            if not views:
                console.print("the patient has not been screened")
                raise typer.Exit(code=1)
            view = views[0]
            s = view.screening
            intake = current_intake(session=session, patient_id=patient_id)
            console.print(
                f"[bold]screening {s.id}[/bold] of patient {patient_id} "
                f"({total} in all) at {s.screened_at:%Y-%m-%d %H:%M} UTC"
            )
            console.print(
                f"verdict [bold]{s.verdict.value}[/bold] · review {view.status} · "
                f"policy version {s.policy_version} · intake "
                f"{'current' if intake and intake.id == s.intake_id else 'superseded'}"
            )
            for f in s.findings:
                console.print(f"  [{f['severity']}] {f['rule_id']}: {f['message']}", markup=False)
            for r in view.reviews:
                cosig = view.cosignatures.get(r.id)
                extra = f", co-signed by user {cosig.cosigner_user_id}" if cosig else ""
                console.print(
                    f"  review: {r.decision.value} by user {r.reviewer_user_id}{extra} — {r.reason}"
                )
    except DomainError as error:
        _fail(error)
