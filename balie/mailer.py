"""Mail transports: SMTP when a host is configured, otherwise .eml files in instance/mail.

A message is written under its Message-ID, so delivering the same message twice (after a
crash between sending and recording it) leaves one file, and SMTP receivers can de-duplicate
on the header.

One SMTP send, from connecting to QUIT, takes at most its timeout in total: smtplib's own
timeout holds per socket operation only, so a watchdog cuts the connection at the deadline.
The outbox worker relies on that bound to finish a send within its lease.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import tempfile
import threading
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol


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


class SendCutOff(TimeoutError):
    """An SMTP send ran past its deadline and its connection was cut."""


class _Cutoff:
    """Shuts down the connection's socket once ``seconds`` have passed, whatever it is waiting for.

    A blocked read or write then fails at once; a connection opened after the deadline is
    refused by ``check`` before anything is sent over it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self.connection: smtplib.SMTP | None = None
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Cutoff:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()
        self._timer.join()

    def _cut(self) -> None:
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                # The plain socket call, also under TLS: it only shuts the descriptor down.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def check(self) -> None:
        if self.fired:
            raise SendCutOff(f"SMTP send took longer than {self.seconds} s")


class SmtpTransport:
    """Sends through an SMTP relay; one send takes at most ``timeout`` seconds, QUIT included."""

    def __init__(
        self, host: str, port: int, username: str | None, password: str | None, starttls: bool, timeout: float
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with _Cutoff(self.timeout) as cutoff:
            smtp = cutoff.connection = smtplib.SMTP(timeout=self.timeout)
            try:
                self._deliver(smtp, message, cutoff)
            except Exception:
                smtp.close()
                if cutoff.fired:
                    raise SendCutOff(f"SMTP send took longer than {self.timeout} s") from None
                raise
            # The relay has accepted the message: a failing goodbye must not make it look unsent.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()

    def _deliver(self, smtp: smtplib.SMTP, message: EmailMessage, cutoff: _Cutoff) -> None:
        cutoff.check()
        smtp.connect(self.host, self.port)
        cutoff.check()
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
            cutoff.check()
        if self.username:
            smtp.login(self.username, self.password or "")
            cutoff.check()
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
