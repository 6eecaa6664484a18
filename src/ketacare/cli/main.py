"""`ketacare …`: serve, db upgrade, users create, demo (and each concept's own commands)."""

from __future__ import annotations

import threading
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from ketacare.cli import docs, outcomes
from ketacare.cli import finder as finder_cli
from ketacare.cli import patients as patients_cli
from ketacare.cli import sessions as sessions_cli
from ketacare.cli import worker as worker_cli
from ketacare.cli.common import console, err_console, session_scope
from ketacare.config import Settings, get_settings
from ketacare.db import migrate
from ketacare.db.models import Role
from ketacare.domain.errors import DomainError
from ketacare.services import clinics, demo, finder, finder_import
from ketacare.services.actors import Actor
from ketacare.services.clock import SystemClock
from ketacare.services.mailer import MailConfig

app = typer.Typer(
    help="ketacare: ketamine therapy clinic platform",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="Database schema (Alembic is the only way it changes).", no_args_is_help=True
)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(patients_cli.app, name="patients")
app.add_typer(patients_cli.screening_app, name="screening")
app.add_typer(docs.app, name="docs")
app.add_typer(finder_cli.app, name="finder")
app.command("report")(outcomes.report)
app.command("simulate-policy")(outcomes.simulate_policy)
app.add_typer(sessions_cli.app, name="sessions")
app.add_typer(sessions_cli.cs_app, name="cs")
app.command("worker")(worker_cli.worker)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "heads") -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    settings = get_settings()
    migrate.upgrade(settings, revision=revision)
    console.print(f"[green]database at {revision}[/green] ({_safe_url(settings.database_url)})")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="sign-in email")],
    full_name: Annotated[str, typer.Option(help="name shown to colleagues")],
    role: Annotated[Role, typer.Option(help="admin, prescriber or nurse")],
    clinic: Annotated[str, typer.Option(help="the clinic's short name (slug)")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a staff account in a clinic."""
    from sqlalchemy import select

    from ketacare.db.models import Clinic

    clock = SystemClock()
    try:
        with session_scope() as session:
            found = session.scalar(select(Clinic).where(Clinic.slug == clinic))
            if found is None:
                raise typer.BadParameter(f"no clinic with the short name {clinic!r}")
            user = clinics.create_user(
                session=session,
                actor=Actor.system("cli", found.id),
                clock=clock,
                email=email,
                full_name=full_name,
                role=role,
                password=password,
                clinic_id=found.id,
            )
            console.print(f"[green]created[/green] {user.email} ({user.role}) in {found.name}")
    except DomainError as error:
        _fail(error)


@app.command("demo")
def demo_command(
    patients: Annotated[
        int, typer.Option(help="patients in the demo clinic", min=5, max=2000)
    ] = demo.DEMO_PATIENTS,
    seed: Annotated[int, typer.Option(help="the demo's random seed")] = demo.DEFAULT_SEED,
) -> None:
    """Load the demo clinic (only into a database that does not have it yet): staff, chairs,
    PATIENTS patients at every stage with months of history, and today's board."""
    with session_scope() as session:
        if demo.demo_loaded(session):
            console.print("the demo clinic is already loaded")
        else:
            _load_demo_with_progress(session, patients, seed)
    _print_sign_ins()


def _load_demo_with_progress(
    session: Session, patients: int = demo.DEMO_PATIENTS, seed: int = demo.DEFAULT_SEED
) -> None:
    """Load the demo clinic with a progress bar over the days of its history."""
    import time

    began = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} days"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"building the demo clinic ({patients} patients, seed {seed})")

        def lived(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        demo.load_demo(
            session=session, clock=SystemClock(), patients=patients, seed=seed, progress=lived
        )
    took = time.perf_counter() - began
    console.print(f"[green]demo clinic loaded[/green] ({patients} patients) in {took:.1f} s")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="address to bind")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    prepare: Annotated[
        bool,
        typer.Option(
            help="upgrade the schema and load the demo clinic into an empty database first"
        ),
    ] = False,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="also run the job worker (check-in emails, reminders) in a background thread",
        ),
    ] = True,
) -> None:
    """Serve the web app (and the JSON API under /api), with the job worker unless --no-worker."""
    import uvicorn

    from ketacare.web.app import create_app

    settings = get_settings()
    if prepare:
        migrate.upgrade(settings)
        with session_scope(settings) as session:
            if demo.database_is_empty(session):
                console.print("empty database: loading the demo clinic…")
                _load_demo_with_progress(session)
        with session_scope(settings) as session:
            if finder.directory_is_empty(session=session):
                console.print("empty facility directory: importing SAMHSA's 2022 directory…")
                finder_import.import_samhsa(
                    session=session, clock=SystemClock(), actor_label="serve --prepare"
                )
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"\n[bold]ketacare[/bold] is at [link]http://{bind_host}:{bind_port}[/link]")
    _print_sign_ins()
    stop_worker = _start_worker(settings) if worker else None
    try:
        uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="info")
    finally:
        if stop_worker is not None:
            stop_worker.set()


def _start_worker(settings: Settings) -> threading.Event:
    from ketacare.db.engine import make_engine, make_session_factory
    from ketacare.worker import Worker, start_in_thread

    engine = make_engine(settings)
    runner = Worker(make_session_factory(engine), settings=settings, clock=SystemClock())
    _, stop = start_in_thread(runner)
    console.print(f"job worker running (mail: {MailConfig.of(settings).describe()})")
    return stop


def _print_sign_ins() -> None:
    console.print("demo sign-ins (email / password):")
    for person in (*demo.DEMO_STAFF, demo.DEMO_PATIENT):
        console.print(f"  {person.role:<11} {person.email:<32} {person.password}")


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def _fail(error: DomainError) -> None:
    where = f" ({error.field})" if error.field else ""
    err_console.print(f"[red]error{where}:[/red] {error.message}")
    raise typer.Exit(code=2)


if __name__ == "__main__":
    app()
