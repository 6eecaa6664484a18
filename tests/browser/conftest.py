"""Browser tests: a live server on loopback (its own migrated SQLite database with the demo
clinic) and Debian's Chromium driven by Playwright. Never a tool's own browser download."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import Session

from ketacare.config import Settings, get_settings
from ketacare.db import migrate
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.uow import unit_of_work
from ketacare.services import demo
from ketacare.services.clock import SystemClock
from ketacare.web.app import create_app

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
BROWSER_DEMO_PATIENTS = 40
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("KETACARE_CHROMIUM", ""),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium") or "",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ShiftedClock:
    """The live server's clock: real time plus an offset that journeys move forward (an IV
    session's 40-minute infusion and observation pass in a moment). Shared by every browser
    test of the run, so tests compute times relative to `now()`, never absolute ones."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture(scope="session")
def live_clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("live")
    settings = get_settings(
        data_dir=data_dir,
        environment="test",
        database_url=f"sqlite:///{data_dir / 'live.sqlite3'}",
        secret_key="browser-" + "s" * 40,
    )
    engine = make_engine(settings)
    with engine.begin() as connection:
        migrate.upgrade(settings, connection=connection)
    with unit_of_work(make_session_factory(engine)) as session:
        # A smaller lived-in clinic than `make run`'s: every stage is still present (the demo's
        # own tests check that), and the browser suite's start-up stays short.
        demo.load_demo(session=session, clock=SystemClock(), patients=BROWSER_DEMO_PATIENTS)
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def live_server(live_settings: Settings, live_clock: ShiftedClock) -> Iterator[str]:
    port = _free_port()
    app = create_app(live_settings, clock=live_clock)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise RuntimeError("the live server did not start")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_db(live_settings: Settings):  # type: ignore[no-untyped-def]
    """`with live_db() as session:` — one committed unit of work on the live server's database,
    for seeding what a journey needs through the real services."""
    engine = make_engine(live_settings)
    factory = make_session_factory(engine)

    @contextmanager
    def open_session() -> Iterator[Session]:
        with unit_of_work(factory) as session:
            yield session

    yield open_session
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Debian's chromium is not installed (make test installs it as root; "
            "in CI a skip fails the run)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def desktop(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    context.close()


def shoot(page, name: str, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Save a screenshot as a test artefact and as the docs' picture of that page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts_dir / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
