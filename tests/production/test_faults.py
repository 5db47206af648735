"""Faults in the production stack, measured: nothing a parent was told is stored may be missing,
nothing may be stored twice, and an error page is the kind "not saved, try again" — never a 500.

- kill -9 of one app node (master and workers) while parents register through nginx;
- PostgreSQL going down and coming back while parents register.

(Redis going down: tests/production/test_rate_limits.py.)
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from balie.extensions import db
from balie.models import OutboxMessage, Registration
from tests.production.conftest import Stack
from tests.production.load import NOT_SAVED, REFERENCE, Outcome, Registrations, summary
from tests.production.servers import Nginx, wait_until
from tests.support.databases import free_port
from tests.support.pages import Page
from tests.support.registration import answers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("production")]  # one stack, one worker


def stored_references(stack: Stack) -> Counter[str]:
    """How often each reference is in the database."""
    with stack.app.app_context():
        try:
            return Counter(db.session.scalars(select(Registration.reference)))
        finally:
            db.session.remove()


def assert_every_confirmation_stored_once(stack: Stack, outcomes: list[Outcome], expected: int) -> None:
    confirmed = [o.reference for o in outcomes if o.reference]
    assert len(outcomes) == expected and len(confirmed) == expected, summary(outcomes)
    assert len(set(confirmed)) == expected, "two parents were shown the same reference"
    counts = stored_references(stack)
    missing = [r for r in confirmed if counts[r] == 0]
    twice = [r for r in confirmed if counts[r] > 1]
    assert missing == [] and twice == [], f"confirmed but missing: {missing[:5]}; stored twice: {twice[:5]}"
    assert all(status != 500 for o in outcomes for status in o.statuses), (
        summary(outcomes),
        stack.logged_errors()[-10:],
    )


def registration_count(stack: Stack) -> tuple[int, int]:
    with stack.app.app_context():
        try:
            return (
                db.session.scalar(select(func.count()).select_from(Registration)) or 0,
                db.session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "new_registration")
                )
                or 0,
            )
        finally:
            db.session.remove()


def test_kill_9_of_one_node_during_500_registrations(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    node_a = stack.nodes[0]
    registrations_before, messages_before = registration_count(stack)
    load = Registrations(stack.url, stack.certificate, "Kill")
    started = time.perf_counter()
    finished = load.run_in_background(500, threads=10)
    try:
        wait_until(lambda: load.done >= 150, "150 registrations done", timeout=600)
        node_a.kill()
        killed_at = load.done
        outcomes = finished()
        wall = time.perf_counter() - started
        assert_every_confirmation_stored_once(stack, outcomes, 500)
        registrations, messages = registration_count(stack)
        assert registrations - registrations_before == 500, "every registration once, none extra"
        assert messages - messages_before == 500, "one notification to the organisation per registration"
    finally:
        stack.restart(node_a)
    broken = sum(len(o.errors) for o in outcomes) + sum(s >= 500 for o in outcomes for s in o.statuses)
    with capsys.disabled():
        print(
            f"\nkill -9 of node A after {killed_at} of 500 registrations (10 parents at a time, https through nginx): "
            f"{wall:.1f} s; {broken} answers were errors or broken connections, each sent again by the parent; "
            f"500 confirmed, 500 stored, 0 twice, 0 missing. {summary(outcomes)}"
        )


def test_postgresql_restarted_while_parents_register(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    registrations_before, _ = registration_count(stack)
    background = Registrations(stack.url, stack.certificate, "Achtergrond")
    finished = background.run_in_background(200, threads=6)
    wait_until(lambda: background.done >= 40, "40 registrations done", timeout=600)

    during = Registrations(stack.url, stack.certificate, "Tijdens")
    forms = open_forms(during, 5)
    stack.postgres.pause()
    try:
        # While the database is down, these parents press "send".
        pressed = [send_once(during, form) for form in forms]
    finally:
        stack.postgres.resume()
    outcomes = finished()

    assert [status for status, _page in pressed] == [503] * 5, pressed
    assert all(page for _status, page in pressed), "the kind page with her answers, not a bare error"
    assert_every_confirmation_stored_once(stack, outcomes, 200)
    # They press send again now the database is back: each is stored once and gets her confirmation.
    again = [
        form.browser.post(
            during.url + "/aanmelden/versturen",
            data=form.data,
            allow_redirects=False,
            timeout=120,
            verify=during.verify,
        )
        for form in forms
    ]
    assert [answer.status_code for answer in again] == [303] * 5
    confirmed = [
        REFERENCE.search(
            form.browser.get(during.url + "/aanmelden/bevestiging", timeout=120, verify=during.verify).text
        )
        for form in forms
    ]
    assert all(confirmed) and stored_references(stack).keys() >= {m.group(1) for m in confirmed if m}
    for form in forms:
        form.browser.close()
    registrations, _ = registration_count(stack)
    assert registrations - registrations_before == 205
    with capsys.disabled():
        print(
            f"\nPostgreSQL stopped (immediate) and started again while 200 parents registered: "
            f"0 answers were 500; {summary(outcomes)}; the 5 who sent while it was down got 503 with their "
            "answers kept, "
            f"and their confirmation when they sent again; 205 stored, 0 twice."
        )


@dataclass
class OpenForm:
    """A parent with the form open in her browser (filled in before the database went down)."""

    number: int
    browser: requests.Session
    data: dict[str, str]


def open_forms(load: Registrations, count: int) -> list[OpenForm]:
    forms = []
    for number in range(count):
        browser = requests.Session()
        form = Page.of(browser.get(load.url + "/aanmelden", timeout=120, verify=load.verify))
        assert form.status == 200
        data = {
            **{k: form.hidden(k) for k in ("csrf_token", "submission_token", "started")},
            **answers(name=f"Tijdens {number}"),
            "send": "1",
        }
        forms.append(OpenForm(number, browser, data))
    return forms


def send_once(load: Registrations, form: OpenForm) -> tuple[int, bool]:
    """She presses send once: the status, and whether the page kept her answers."""
    sent = form.browser.post(
        load.url + "/aanmelden/versturen", data=form.data, allow_redirects=False, timeout=120, verify=load.verify
    )
    return sent.status_code, NOT_SAVED in sent.text and f"Tijdens {form.number}" in sent.text


def test_when_no_node_answers_nginx_shows_a_kind_page_also_after_a_post(stack: Stack, tmp_path: Path) -> None:
    """nginx with the project's site file in front of a node that is down (nothing listens)."""
    nginx = Nginx(tmp_path / "nginx", stack.certificate, [free_port()]).start()
    try:
        for method in ("GET", "POST"):
            answered = requests.request(
                method,
                nginx.url + "/aanmelden/versturen",
                data={"name": "x"},
                verify=str(stack.certificate.certificate),
                timeout=60,
            )
            assert answered.status_code == 503, method
            assert "Even niet bereikbaar" in answered.text and "U wordt niet twee keer aangemeld" in answered.text
            assert answered.headers["Cache-Control"] == "no-store"
    finally:
        nginx.stop()
