"""Shared by the check-in tests: a real SMTP server on loopback (aiosmtpd) and a worker on it."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.services.clock import Clock
from ketacare.worker import Worker

LINK = re.compile(r"/c/([A-Za-z0-9_\-]+)")


class Inbox:
    """Every message the loopback SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        with self._lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def body(self, message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def token_in(self, message: EmailMessage) -> str:
        found = LINK.search(self.body(message))
        assert found, self.body(message)
        return found.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def mail_settings(settings: Settings, smtp: tuple[Inbox, int]) -> Settings:
    return settings.model_copy(
        update={"smtp_port": smtp[1], "public_base_url": "http://testserver", "worker_lease_s": 300}
    )


def make_worker(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, name: str
) -> Worker:
    return Worker(factory, settings=settings, clock=clock, name=name)
