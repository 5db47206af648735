"""Mail transports: SMTP when a host is configured, otherwise .eml files in instance/mail.

A message is written under its Message-ID, so delivering the same message twice (after a
crash between sending and recording it) leaves one file, and SMTP receivers can de-duplicate
on the header.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Mapping, Protocol


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class FileTransport:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>")) + ".eml"
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.folder / name)


class SmtpTransport:
    def __init__(
        self, host: str, port: int, username: str | None, password: str | None, starttls: bool, timeout: float
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def transport_from_config(config: Mapping[str, Any]) -> Transport:
    if config.get("SMTP_HOST"):
        return SmtpTransport(
            config["SMTP_HOST"],
            int(config["SMTP_PORT"]),
            config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"),
            bool(config["SMTP_STARTTLS"]),
            float(config["SMTP_TIMEOUT_SECONDS"]),
        )
    return FileTransport(config["MAIL_DIR"])
