"""Outgoing email, one interface (`send`), two deliveries chosen by the settings:

- "smtp" (production, tests): hand the message to an SMTP server with stdlib `smtplib`; STARTTLS
  and login when configured. Development can still use a local relay (`python -m aiosmtpd -n`).
- "file" (the development default): write the message as an RFC 5322 `.eml` file under
  `<data_dir>/outbox/`, so `make run` needs no SMTP server. The file is named after the
  Message-ID (stable per job), so a re-send overwrites the file rather than adding a second one;
  it is written to a temporary file and renamed, so a reader never sees half a message. The
  outbox holds one-time check-in links (credentials): the folder is 0700 and files are 0600.

Either way a successful `send` returns a short delivery note and the job is marked sent; a
failure raises (smtplib.SMTPException or OSError) and the caller retries later. Production
refuses "file" when the settings are built (`ketacare.config`).
"""

from __future__ import annotations

import os
import re
import smtplib
import tempfile
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal

from ketacare.config import Settings

Delivery = Literal["smtp", "file"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""
    timeout_s: float = 30.0
    delivery: Delivery = "smtp"
    outbox_dir: Path | None = None  # where "file" delivery writes (required for it)

    @classmethod
    def of(cls, settings: Settings) -> MailConfig:
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            settings.smtp_starttls,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_timeout_s,
            settings.mail_delivery,
            settings.outbox_dir,
        )

    def describe(self) -> str:
        """Where mail goes, for start-up messages ("SMTP 127.0.0.1:1025", "files in …")."""
        if self.delivery == "file":
            return f"files in {self.outbox_dir}"
        return f"SMTP {self.host}:{self.port}"


# The worker and the CLI were written against this name; one config serves both deliveries.
SmtpConfig = MailConfig


def send(config: MailConfig, message: EmailMessage) -> str:
    """Deliver `message` as configured; returns a short delivery note. Raises on failure
    (smtplib.SMTPException or OSError): the caller retries later."""
    if "From" not in message:
        message["From"] = config.sender
    if "Date" not in message:
        message["Date"] = formatdate(usegmt=True)  # RFC 5322 requires one; relays may add it
    if config.delivery == "file":
        return _write(config, message)
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.username:
            smtp.login(config.username, config.password)
        refused = smtp.send_message(message)
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)
    return f"accepted by {config.host}:{config.port} for {message['To']}"


def outbox_file(outbox_dir: Path, message_id: str) -> Path:
    """The file a message with this Message-ID is written to (same id, same file)."""
    name = _UNSAFE.sub("_", message_id.strip().strip("<>")) or "message"
    return outbox_dir / f"{name[:180]}.eml"


def _write(config: MailConfig, message: EmailMessage) -> str:
    if config.outbox_dir is None:
        raise OSError("mail delivery 'file' needs an outbox folder (the data directory)")
    if "Message-ID" not in message:
        sender_domain = config.sender.rpartition("@")[2] or "ketacare.local"
        message["Message-ID"] = make_msgid(domain=sender_domain)
    config.outbox_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = outbox_file(config.outbox_dir, str(message["Message-ID"]))
    # RFC 5322 on disk: CRLF line ends, as it would travel over SMTP.
    data = message.as_bytes(policy=email_policy.SMTP)
    fd, temp = tempfile.mkstemp(dir=config.outbox_dir, prefix=".tmp-", suffix=".eml")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)  # atomic on one file system: a re-send overwrites
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return f"written to {target} for {message['To']}"
