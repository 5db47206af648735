"""Registration throughput and latency against gunicorn on 127.0.0.1, side by side with a
bare endpoint on the same server as the ceiling.

    .venv/bin/python bench/registration.py            (about 40 s; see bench/README.md)

1. A fresh SQLite database in a temporary folder (`flask --app wsgi init`).
2. gunicorn, 2 workers × 4 threads (gthread: keep-alive), serving bench/bare_app.py, which is
   wsgi.py's app plus GET /bench/bare.
3. Client: several processes × threads, one keep-alive connection each (http.client), all
   on 127.0.0.1. The client shares the machine's cores with the server.
   (a) GET /bench/bare                the ceiling: Flask stack, no template, no database
   (b) GET /aanmelden                 the form page (template, CSRF, fresh session)
   (c) POST /aanmelden/versturen      the full registration: CSRF, validation, spam checks,
                                      rate limit, routing query, AES-GCM sealing, INSERT +
                                      outbox row, COMMIT (SQLite WAL, synchronous=FULL) → 303.
       Each POST carries its own fresh form (tokens + session cookie) fetched before the
       timed part, so only the POST is timed.
4. A table: requests, errors, throughput, p50 and p95 latency; then gunicorn is stopped.
"""

from __future__ import annotations

import html
import http.client
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from balie.clock import today  # noqa: E402
from balie.domain.due_date import allowed_months  # noqa: E402

WORKERS = 2
SERVER_THREADS = 4
CLIENT_PROCESSES = 2
CLIENT_THREADS = 4  # per process: 8 connections in all, as many as the server has threads
WARM_UP_SECONDS = 1.0
GET_SECONDS = 8.0
POST_SECONDS = 8.0
POST_FORMS = 1600  # forms fetched beforehand; the POST phase ends when they run out or time is up
SETTINGS = {
    "BALIE_SPAM_MIN_SECONDS": "0",  # the forms are fetched before the timed part
    "BALIE_REGISTRATION_RATE_LIMIT": "100000 per hour",  # one client address sends everything
    "BALIE_REGISTRATION_GLOBAL_LIMIT": "100000 per minute",
}
TOKENS = re.compile(r'<input[^>]*\bname="(csrf_token|submission_token|started)"[^>]*\bvalue="([^"]*)"')


# --------------------------------------------------------------------------------------------
# Client (runs in the client processes)
# --------------------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    cookie: str = ""


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    first: float = float("inf")  # wall clock of the first send and the last answer
    last: float = 0.0


def _send(connection: http.client.HTTPConnection, request: Request) -> tuple[int, bytes, str]:
    headers = {"Connection": "keep-alive"}
    if request.body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if request.cookie:
        headers["Cookie"] = request.cookie
    connection.request(request.method, request.path, body=request.body or None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    cookie = "; ".join(value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie")
    return response.status, body, cookie


def _worker(port: int, requests: list[Request], expected: int, seconds: float, start_at: float, result: Result) -> None:
    """One keep-alive connection: send the requests in turn until they run out or time is up."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        index = 0
        while time.time() < deadline and index < len(requests):
            request = requests[index]
            index += 1
            sent = time.time()
            try:
                status, _body, _cookie = _send(connection, request)
            except (OSError, http.client.HTTPException):
                result.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            answered = time.time()
            result.first = min(result.first, sent)
            result.last = max(result.last, answered)
            if status == expected:
                result.latencies.append(answered - sent)
            else:
                result.errors += 1
    finally:
        connection.close()


def client_process(port: int, batches: list[list[Request]], expected: int, seconds: float, start_at: float) -> Result:
    """One client process: a thread (and a connection) per batch of requests."""
    results = [Result() for _ in batches]
    threads = [
        threading.Thread(target=_worker, args=(port, batch, expected, seconds, start_at, result))
        for batch, result in zip(batches, results, strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = Result()
    for result in results:
        merged.latencies += result.latencies
        merged.errors += result.errors
        merged.first = min(merged.first, result.first)
        merged.last = max(merged.last, result.last)
    return merged


def fetch_form(port: int) -> Request:
    """GET the form like a new visitor; return the POST that sends it (its tokens, its cookie)."""
    with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=30)) as connection:
        status, body, cookie = _send(connection, Request("GET", "/aanmelden"))
    if status != 200:
        raise RuntimeError(f"GET /aanmelden answered {status}")
    tokens = {name: html.unescape(value) for name, value in TOKENS.findall(body.decode())}
    answers = {
        "name": "Sam",
        "phone": "06 12345678",
        "postcode": "2611 AB",
        "house_number": "12",
        "due_month": str(allowed_months(today())[3]),
        "language": "nl",
        "interpreter": "no",
        "send": "1",
    }
    return Request("POST", "/aanmelden/versturen", urlencode({**tokens, **answers}).encode(), cookie)


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    result: Result

    @property
    def requests(self) -> int:
        return len(self.result.latencies)

    @property
    def throughput(self) -> float:
        span = self.result.last - self.result.first
        return self.requests / span if span > 0 else 0.0

    def percentile(self, q: int) -> float:
        if len(self.result.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.result.latencies, n=100, method="inclusive")[q - 1] * 1000


def run_load(pool: ProcessPoolExecutor, port: int, requests: list[Request], expected: int, seconds: float) -> Result:
    """Spread the requests over all client connections and run them at the same moment."""
    connections = CLIENT_PROCESSES * CLIENT_THREADS
    batches = [requests[i::connections] for i in range(connections)]
    per_process = [batches[p::CLIENT_PROCESSES] for p in range(CLIENT_PROCESSES)]
    start_at = time.time() + 0.5  # every process connected and waiting
    futures = [pool.submit(client_process, port, batch, expected, seconds, start_at) for batch in per_process]
    merged = Result()
    for future in futures:
        result = future.result()
        merged.latencies += result.latencies
        merged.errors += result.errors
        merged.first = min(merged.first, result.first)
        merged.last = max(merged.last, result.last)
    return merged


def repeat(request: Request, seconds: float) -> list[Request]:
    """Enough copies of a GET for the time given at any plausible speed (the list is shared)."""
    return [request] * int(seconds * 20_000)


def wait_until_it_answers(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text(errors='replace')}")
        try:
            with closing(http.client.HTTPConnection("127.0.0.1", port, timeout=2)) as connection:
                if _send(connection, Request("GET", "/bench/bare"))[0] == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{log.read_text(errors='replace')}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def count_rows(database: Path, table: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def main() -> int:
    began = time.monotonic()
    binaries = Path(sys.executable).parent
    gunicorn = binaries / "gunicorn"
    flask = binaries / "flask"
    folder = Path(tempfile.mkdtemp(prefix="balie-bench-"))
    database = folder / "balie.sqlite3"
    env = {
        **os.environ,
        "BALIE_DATABASE_URL": f"sqlite:///{database}",
        "BALIE_MAIL_DIR": str(folder / "mail"),
        "BALIE_AUDIT_HEAD_FILE": str(folder / "audit-head.json"),  # a head belongs to its own database
        **SETTINGS,
    }
    process: subprocess.Popen[bytes] | None = None
    log = folder / "gunicorn.log"
    try:
        subprocess.run(
            [str(flask), "--app", "wsgi", "init"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
        )
        port = free_port()
        command = [
            str(gunicorn),
            "-w",
            str(WORKERS),
            "--threads",
            str(SERVER_THREADS),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(PROJECT_ROOT),
            "bench.bare_app:app",
        ]
        with open(log, "wb") as log_file:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        wait_until_it_answers(port, process, log)

        rows: list[Row] = []
        with ProcessPoolExecutor(max_workers=CLIENT_PROCESSES) as pool:
            bare = Request("GET", "/bench/bare")
            form = Request("GET", "/aanmelden")
            # Warm up both workers (imports, templates, database connections).
            run_load(pool, port, repeat(bare, WARM_UP_SECONDS), 200, WARM_UP_SECONDS)
            run_load(pool, port, repeat(form, WARM_UP_SECONDS), 200, WARM_UP_SECONDS)
            rows.append(Row("(a) GET /bench/bare", run_load(pool, port, repeat(bare, GET_SECONDS), 200, GET_SECONDS)))
            rows.append(Row("(b) GET /aanmelden", run_load(pool, port, repeat(form, GET_SECONDS), 200, GET_SECONDS)))

            # (c) Untimed: a fresh form (tokens and session cookie) for every POST; then the POSTs.
            fetched = time.monotonic()
            with ThreadPoolExecutor(max_workers=CLIENT_PROCESSES * CLIENT_THREADS) as fetchers:
                posts = list(fetchers.map(lambda _: fetch_form(port), range(POST_FORMS)))
            fetch_seconds = time.monotonic() - fetched
            stored_before = count_rows(database, "registration")
            rows.append(Row("(c) POST /aanmelden/versturen", run_load(pool, port, posts, 303, POST_SECONDS)))
            stored = count_rows(database, "registration") - stored_before
            outbox = count_rows(database, "outbox_message")

        print_report(rows, stored, outbox, fetch_seconds, time.monotonic() - began)
        return 0 if all(row.result.errors == 0 for row in rows) and stored == rows[2].requests else 1
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def print_report(rows: list[Row], stored: int, outbox: int, fetch_seconds: float, total_seconds: float) -> None:
    from importlib.metadata import version

    print()
    print("Balie registration benchmark (bench/registration.py)")
    print(
        f"machine : {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}, Flask {version('flask')}, SQLAlchemy {version('sqlalchemy')}, "
        f"gunicorn {version('gunicorn')}"
    )
    print(
        f"server  : gunicorn -w {WORKERS} --threads {SERVER_THREADS} (gthread, keep-alive) on 127.0.0.1, "
        "SQLite WAL synchronous=FULL, bench/bare_app.py = wsgi app + GET /bench/bare"
    )
    print(
        f"client  : {CLIENT_PROCESSES} processes × {CLIENT_THREADS} threads = "
        f"{CLIENT_PROCESSES * CLIENT_THREADS} keep-alive connections (http.client), on the same machine"
    )
    print(
        f"settings: {', '.join(f'{k}={v}' for k, v in SETTINGS.items())}; "
        f"GETs {GET_SECONDS:.0f} s each, POSTs up to {POST_SECONDS:.0f} s or {POST_FORMS} forms"
    )
    print()
    header = f"{'':32} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:32} {row.requests:>9} {row.result.errors:>7} {row.throughput:>8.0f} "
            f"{row.percentile(50):>8.1f} {row.percentile(95):>8.1f}"
        )
    print()
    print(
        f"POST check: {stored} registrations stored for {rows[2].requests} answers 303; "
        f"{outbox} outbox rows in the database"
    )
    print(
        f"({POST_FORMS} forms for (c) fetched beforehand in {fetch_seconds:.1f} s, not timed; "
        f"whole run {total_seconds:.0f} s)"
    )


if __name__ == "__main__":
    sys.exit(main())
