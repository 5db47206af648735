"""A slow SMTP relay on 127.0.0.1 for tests (plain socketserver: smtpd is gone, aiosmtpd not needed).

It speaks just enough SMTP for smtplib, records the Message-ID of every message it accepts
and waits ``delay`` seconds before answering the end of DATA, like a busy relay. It records a
message *before* answering 250, as a real relay commits before it replies: a sender that
gives up while waiting may still have delivered.

Ways to misbehave, for the failure tests:
- ``hold_next()``: the next message's end of DATA gets no answer until ``release()``; then
  the connection is closed without accepting it (the sender was killed mid-send);
- ``greeting_byte_seconds``: the greeting trickles out one byte at a time, each byte well
  within a per-operation socket timeout but the whole far beyond it;
- ``silent_on_quit``: QUIT gets no answer (the message itself was accepted).
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser

# No test waits on a connection longer than this; a stuck one is closed by then.
CONNECTION_TIMEOUT = 300
GREETING = b"220 sink.test ESMTP ready\r\n"


@dataclass(frozen=True)
class Accepted:
    message_id: str
    at: float  # time.time() when the relay took the message


class SmtpSink:
    def __init__(self, delay: float = 0.0, greeting_byte_seconds: float = 0.0, silent_on_quit: bool = False) -> None:
        self.delay = delay
        self.greeting_byte_seconds = greeting_byte_seconds
        self.silent_on_quit = silent_on_quit
        self.accepted: list[Accepted] = []
        self.dropped: list[str] = []
        self.held = threading.Event()
        self.held_message_id: str | None = None
        self._hold_armed = False
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.sink = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=60)

    # --- what the test reads and steers ---------------------------------------------------------

    def counts(self) -> Counter[str]:
        """How often each Message-ID was accepted."""
        with self._lock:
            return Counter(a.message_id for a in self.accepted)

    def accepted_at(self, message_id: str) -> list[float]:
        with self._lock:
            return [a.at for a in self.accepted if a.message_id == message_id]

    def hold_next(self) -> None:
        with self._lock:
            self._hold_armed = True

    def release(self) -> None:
        self._released.set()

    # --- called by the sessions -----------------------------------------------------------------

    def end_of_data(self, message_id: str) -> bool:
        """True: accept (after the delay); False: drop the connection without an answer."""
        with self._lock:
            hold, self._hold_armed = self._hold_armed, False
        if hold:
            self.held_message_id = message_id
            self.held.set()
            self._released.wait(CONNECTION_TIMEOUT)
            with self._lock:
                self.dropped.append(message_id)
            return False
        time.sleep(self.delay)
        with self._lock:
            self.accepted.append(Accepted(message_id, time.time()))
        return True


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    sink: SmtpSink


class _Session(socketserver.StreamRequestHandler):
    timeout = CONNECTION_TIMEOUT
    server: _Server

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        try:
            self._converse()
        except OSError:
            pass  # the client went away (killed, or cut its own connection): nothing to answer

    def _converse(self) -> None:
        sink = self.server.sink
        self._greet(sink.greeting_byte_seconds)
        commands: dict[bytes, Callable[[], bool]] = {
            b"EHLO": lambda: self._ok("250 sink.test"),
            b"HELO": lambda: self._ok("250 sink.test"),
            b"MAIL": lambda: self._ok("250 OK"),
            b"RCPT": lambda: self._ok("250 OK"),
            b"RSET": lambda: self._ok("250 OK"),
            b"NOOP": lambda: self._ok("250 OK"),
            b"DATA": self._data,
            b"QUIT": self._quit,
        }
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            command = commands.get(line[:4].upper(), lambda: self._ok("502 not implemented"))
            if not command():
                return

    def _greet(self, byte_seconds: float) -> None:
        if not byte_seconds:
            self.wfile.write(GREETING)
            return
        for byte in GREETING:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(byte_seconds)

    def _ok(self, text: str) -> bool:
        self.reply(text)
        return True

    def _data(self) -> bool:
        self.reply("354 end with <CRLF>.<CRLF>")
        lines = []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return False
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        headers = BytesHeaderParser().parsebytes(b"".join(lines))
        if not self.server.sink.end_of_data(str(headers["Message-ID"])):
            return False
        return self._ok("250 accepted")

    def _quit(self) -> bool:
        if self.server.sink.silent_on_quit:
            self.rfile.readline(1)  # waits until the client gives up and closes
            return False
        self.reply("221 bye")
        return False
