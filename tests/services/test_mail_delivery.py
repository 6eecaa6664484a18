"""Mail delivery modes: "file" writes each email as an .eml under <data_dir>/outbox/ (the
development default, no SMTP server needed), "smtp" hands it to the relay; production refuses
"file" when the settings are built."""

from __future__ import annotations

import stat
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings, SettingsError, get_settings
from ketacare.db.models import Job, JobStatus
from ketacare.services import check_in_links, check_ins, mailer
from ketacare.services.clock import FixedClock
from tests.services.check_in_support import LINK, Inbox, inbox, mail_settings, make_worker, smtp

__all__ = ["inbox", "mail_settings", "smtp"]  # fixtures used below
GAD7_MILD = [1, 1, 1, 1, 1, 1, 0]
PHQ9_CALM = [1, 1, 1, 0, 0, 0, 0, 0, 0]
REAL_SECRET = "a-real-production-secret-" + "z" * 20


@pytest.fixture
def file_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={
            "mail_delivery": "file",
            "data_dir": tmp_path,
            "public_base_url": "http://testserver",
        }
    )


def _emails(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml"))


def _parse(path: Path) -> EmailMessage:
    parsed = message_from_bytes(path.read_bytes(), policy=email_policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_file_mode_writes_a_parseable_eml_with_the_link_and_marks_the_job_sent(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    file_settings: Settings,
) -> None:  # type: ignore[no-untyped-def]
    row = check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    assert make_worker(session_factory, file_settings, clock, "w1").run_once() == 1

    (path,) = _emails(file_settings.outbox_dir)
    assert path.parent == file_settings.data_dir / "outbox"
    message = _parse(path)
    assert message["To"] == "alice@example.org"
    assert message["From"] == file_settings.smtp_sender
    assert message["Date"]
    assert "check-in" in message["Subject"].lower()
    job = db.scalar(select(Job).where(Job.idempotency_key == f"check-in:{row.key}"))
    assert job is not None
    db.refresh(job)
    assert job.status is JobStatus.SENT
    assert message["Message-ID"] == job.message_id
    assert path == mailer.outbox_file(file_settings.outbox_dir, job.message_id)
    assert f"written to {path}" in job.outcome
    assert not list(file_settings.outbox_dir.glob(".tmp-*"))  # the temp file was renamed
    # The link in the file works like one that came through SMTP.
    found = LINK.search(_body(message))
    assert found and "http://testserver/c/" in _body(message)
    answered = check_in_links.answer_check_in(
        session=db,
        clock=clock,
        token=found.group(1),
        answers={"gad7": GAD7_MILD, "phq9": PHQ9_CALM},
    )
    assert not answered.urgent


def test_the_outbox_file_is_private_to_its_owner(tmp_path: Path) -> None:
    config = mailer.MailConfig(
        "h", 1, "k@clinic.example", delivery="file", outbox_dir=tmp_path / "o"
    )
    message = EmailMessage()
    message["To"] = "p@example.org"
    message["Subject"] = "link"
    message.set_content("http://x/c/secret-token")
    mailer.send(config, message)
    (path,) = _emails(tmp_path / "o")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "o").stat().st_mode) == 0o700
    assert path.name.endswith("@clinic.example.eml")  # a Message-ID was made for it


def test_a_re_send_with_the_same_message_id_overwrites_the_file_rather_than_adding_one(
    tmp_path: Path,
) -> None:
    config = mailer.MailConfig("h", 1, "k@clinic.example", delivery="file", outbox_dir=tmp_path)
    for attempt in (1, 2):
        message = EmailMessage()
        message["To"] = "p@example.org"
        message["Message-ID"] = "<job-7.abc123@clinic.example>"
        message["Subject"] = f"attempt {attempt}"
        message.set_content("body")
        note = mailer.send(config, message)
    (path,) = _emails(tmp_path)
    assert path.name == "job-7.abc123@clinic.example.eml"
    assert _parse(path)["Subject"] == "attempt 2"
    assert note == f"written to {path} for p@example.org"


def test_a_message_id_cannot_steer_the_file_outside_the_outbox(tmp_path: Path) -> None:
    path = mailer.outbox_file(tmp_path, "<../../etc/passwd>")
    assert path.parent == tmp_path
    assert "/" not in path.name


def test_smtp_mode_still_delivers_through_the_smtp_server_and_writes_no_file(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    inbox: Inbox,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    smtp_settings = mail_settings.model_copy(update={"mail_delivery": "smtp", "data_dir": tmp_path})
    check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()
    assert make_worker(session_factory, smtp_settings, clock, "w1").run_once() == 1
    (message,) = inbox.to("alice@example.org")
    assert inbox.token_in(message)
    assert not (tmp_path / "outbox").exists()
    job = db.scalar(select(Job).where(Job.kind == check_ins.CHECK_IN_JOB))
    assert job is not None
    db.refresh(job)
    assert job.status is JobStatus.SENT and "accepted by 127.0.0.1" in job.outcome


def test_development_defaults_to_file_and_every_other_environment_to_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KETACARE_MAIL_DELIVERY", raising=False)
    assert Settings(environment="development", data_dir=tmp_path).mail_delivery == "file"
    assert Settings(environment="test", data_dir=tmp_path).mail_delivery == "smtp"
    production = Settings(environment="production", data_dir=tmp_path, secret_key=REAL_SECRET)
    assert production.mail_delivery == "smtp"


def test_the_environment_variable_switches_development_to_smtp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KETACARE_MAIL_DELIVERY", "smtp")
    assert Settings(environment="development", data_dir=tmp_path).mail_delivery == "smtp"
    monkeypatch.setenv("KETACARE_MAIL_DELIVERY", "file")
    assert Settings(environment="test", data_dir=tmp_path).mail_delivery == "file"


def test_production_with_file_delivery_is_refused_when_the_settings_are_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SettingsError, match="production refuses"):
        get_settings(
            environment="production",
            data_dir=tmp_path,
            secret_key=REAL_SECRET,
            mail_delivery="file",
        )
    monkeypatch.setenv("KETACARE_MAIL_DELIVERY", "file")
    with pytest.raises(SettingsError, match="KETACARE_MAIL_DELIVERY=file"):
        get_settings(environment="production", data_dir=tmp_path, secret_key=REAL_SECRET)
    monkeypatch.setenv("KETACARE_MAIL_DELIVERY", "smtp")
    accepted = get_settings(environment="production", data_dir=tmp_path, secret_key=REAL_SECRET)
    assert accepted.mail_delivery == "smtp"


def test_an_unknown_delivery_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mail_delivery"):
        Settings(environment="development", data_dir=tmp_path, mail_delivery="pigeon")  # type: ignore[arg-type]


def test_a_message_that_failed_for_good_is_retried_by_staff_and_then_written_once(
    db: Session,
    cast,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    file_settings: Settings,
) -> None:  # type: ignore[no-untyped-def]
    from ketacare.services import jobs
    from ketacare.worker import Worker

    row = check_ins.request_check_in(
        session=db, actor=cast.actor(cast.nurse_a), clock=clock, patient_id=cast.patient_a.id
    )
    db.commit()

    def refuse(message: EmailMessage) -> str:
        raise ConnectionRefusedError(111, "Connection refused")

    broken = Worker(session_factory, settings=file_settings, clock=clock, name="w0", send=refuse)
    for _ in range(jobs.MAX_ATTEMPTS):
        broken.run_once()
        clock.advance(minutes=20)  # past every back-off
    job = db.scalar(select(Job).where(Job.idempotency_key == f"check-in:{row.key}"))
    assert job is not None
    db.refresh(job)
    assert job.status is JobStatus.FAILED and "Connection refused" in job.last_error
    assert not file_settings.outbox_dir.exists()

    jobs.retry_job(session=db, actor=cast.actor(cast.nurse_a), clock=clock, job_id=job.id)
    db.commit()
    assert make_worker(session_factory, file_settings, clock, "w1").run_once() == 1
    db.refresh(job)
    assert job.status is JobStatus.SENT and job.attempts == 1
    (path,) = _emails(file_settings.outbox_dir)
    assert _parse(path)["Message-ID"] == job.message_id
