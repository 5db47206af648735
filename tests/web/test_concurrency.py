"""200 registrations, each posted twice with the same submission token, from 20 threads against
a real gunicorn (2 workers × 4 threads) on SQLite: 200 registrations, 200 outbox rows, every
POST answered with 303, and both posts of a pair lead to the same confirmation.

The two posts of a registration are queued next to each other, so they usually run at the same
time in two client threads (a double click), and otherwise one after the other (a refresh).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from balie.config import PROJECT_ROOT
from tests.conftest import TEST_SECRET
from tests.support.databases import copy_sqlite, free_port
from tests.support.pages import Page
from tests.support.registration import answers

pytestmark = pytest.mark.slow

REGISTRATIONS = 200
CLIENT_THREADS = 20
REFERENCE = re.compile(r'<strong class="reference">\s*([0-9A-Z]{4}-[0-9A-Z]{4})\s*</strong>')
TOKENS = ("csrf_token", "submission_token", "started")


@dataclass(frozen=True)
class Server:
    url: str
    database: Path


def _gunicorn() -> str:
    local = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
    found = str(local) if local.exists() else shutil.which("gunicorn")
    if not found:
        pytest.fail("gunicorn is not installed (make setup-test)")
    return found


@pytest.fixture
def gunicorn_server(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Server]:
    database = tmp_path / "balie.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "BALIE_DATABASE_URL": copy_sqlite(sqlite_template_path, database),
        "BALIE_SECRET_KEY": TEST_SECRET,
        "BALIE_SPAM_MIN_SECONDS": "0",
        "BALIE_REGISTRATION_RATE_LIMIT": "100000 per hour",
        "BALIE_REGISTRATION_GLOBAL_LIMIT": "100000 per minute",
        "BALIE_MAIL_DIR": str(tmp_path / "mail"),
    }
    command = [_gunicorn(), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}", "wsgi:app"]
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_it_answers(url, process, log_path)
            yield Server(url, database)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_it_answers(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Until the home page answers 200. A busy machine may need long for the first page (imports,
    templates, the first query): a slow answer is waited for, never counted as a failure."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + "/", timeout=60).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 180 s:\n{log_path.read_text(errors='replace')}")


@dataclass(frozen=True)
class Opened:
    """A form as one parent's browser got it: its hidden tokens and her session cookie."""

    tokens: dict[str, str]
    cookies: requests.cookies.RequestsCookieJar


@dataclass(frozen=True)
class Posted:
    registration: int
    status: int
    location: str
    confirmation_status: int
    reference: str | None
    sent: float  # when the POST left and when its answer came back (perf_counter)
    answered: float


def open_form(url: str) -> Opened:
    with requests.Session() as browser:
        response = browser.get(url + "/aanmelden", timeout=30)
        assert response.status_code == 200, response.status_code
        page = Page.of(response)
        return Opened({name: page.hidden(name) for name in TOKENS}, browser.cookies.copy())


def post_registration(url: str, number: int, opened: Opened) -> Posted:
    """One press of "Send registration", then the confirmation page it leads to."""
    with requests.Session() as browser:
        browser.cookies.update(opened.cookies)  # copies each cookie with its domain and path
        data = {**opened.tokens, **answers(name=f"Parent {number}"), "send": "1"}
        sent = time.perf_counter()
        response = browser.post(url + "/aanmelden/versturen", data=data, allow_redirects=False, timeout=60)
        answered = time.perf_counter()
        location = response.headers.get("Location", "")
        if response.status_code != 303:
            return Posted(number, response.status_code, location, 0, None, sent, answered)
        confirmation = browser.get(url + location if location.startswith("/") else location, timeout=30)
        found = REFERENCE.search(confirmation.text)
        reference = found.group(1) if found else None
        return Posted(number, 303, location, confirmation.status_code, reference, sent, answered)


def _count(database: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _references(database: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return {row[0] for row in connection.execute("SELECT reference FROM registration")}


def test_200_registrations_posted_twice_from_20_threads_make_200_registrations(
    gunicorn_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    url = gunicorn_server.url
    assert _count(gunicorn_server.database, "registration") == 0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        opened = list(pool.map(lambda _: open_form(url), range(REGISTRATIONS)))
        # Both posts of a registration go into the queue one after the other: two of the 20
        # threads usually pick them up at the same moment.
        jobs = [(number, opened[number]) for number in range(REGISTRATIONS) for _twice in range(2)]
        posted: list[Posted] = list(pool.map(lambda job: post_registration(url, *job), jobs))
    wall = time.perf_counter() - started

    statuses = Counter(p.status for p in posted)
    assert statuses == {303: 2 * REGISTRATIONS}, f"responses other than 303: {statuses}"
    assert all(p.location.endswith("/aanmelden/bevestiging") for p in posted)
    assert all(p.confirmation_status == 200 and p.reference for p in posted), [p for p in posted if not p.reference][:3]

    by_registration: dict[int, set[str | None]] = {}
    pairs: dict[int, list[Posted]] = {}
    for p in posted:
        by_registration.setdefault(p.registration, set()).add(p.reference)
        pairs.setdefault(p.registration, []).append(p)
    simultaneous = sum(1 for a, b in pairs.values() if a.sent < b.answered and b.sent < a.answered)
    assert simultaneous > 0, "no registration had both posts in flight at once: the race was not tested"
    differing = {number: refs for number, refs in by_registration.items() if len(refs) != 1}
    assert differing == {}, f"the two posts of a registration got different confirmations: {differing}"

    assert _count(gunicorn_server.database, "registration") == REGISTRATIONS
    assert _count(gunicorn_server.database, "outbox_message") == REGISTRATIONS
    shown = {next(iter(refs)) for refs in by_registration.values()}
    assert shown == _references(gunicorn_server.database)

    with capsys.disabled():
        print(
            f"\n{REGISTRATIONS} registrations × 2 posts from {CLIENT_THREADS} threads against gunicorn "
            f"(2 workers × 4 threads, SQLite): {wall:.1f} s wall time "
            f"({3 * REGISTRATIONS} page loads + {2 * REGISTRATIONS} POSTs); "
            f"{simultaneous} of {REGISTRATIONS} pairs had both posts in flight at the same time"
        )
