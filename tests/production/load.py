"""Parents registering through nginx over https, many at once, as the faults tests need them.

Each registration is one parent's browser (its own cookies): the form, "send" (pressed again
with the same form when the answer is an error page, as she would), and the confirmation. Every
answer is recorded, so a test can say what people saw.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from tests.production.servers import Certificate
from tests.support.pages import Page
from tests.support.registration import answers

REFERENCE = re.compile(r'<strong class="reference">\s*([0-9A-Z]{4}-[0-9A-Z]{4})\s*</strong>')
NOT_SAVED = "not-saved"  # the marker of the "not saved, please try again" page (see below)
TRIES = 30
RETRY_AFTER = 0.5
# A connection that broke: before the answer, or in the middle of it (a node killed while nginx
# was passing its page on). The parent sees an error or half a page and presses again.
BROKEN = (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)


@dataclass
class Outcome:
    number: int
    statuses: list[int] = field(default_factory=list)  # every answer to "send", in order
    errors: list[str] = field(default_factory=list)  # connections that broke
    reference: str | None = None
    not_saved_pages: int = 0  # 503 answers that were the kind "not saved" page with her answers


class Registrations:
    def __init__(self, url: str, certificate: Certificate, name: str = "Ouder") -> None:
        self.url = url
        self.verify = str(certificate.certificate)
        self.name = name
        self.outcomes: list[Outcome] = []
        self.done = 0
        self._lock = threading.Lock()

    def _get(self, browser: requests.Session, path: str, outcome: Outcome) -> requests.Response:
        for _ in range(TRIES):
            try:
                response = browser.get(self.url + path, timeout=120, verify=self.verify)
            except BROKEN as exc:
                outcome.errors.append(type(exc).__name__)
            else:
                if response.status_code < 500:
                    return response
                outcome.statuses.append(response.status_code)
            time.sleep(RETRY_AFTER)
        raise AssertionError(f"GET {path} kept failing: {outcome}")

    def one(self, number: int) -> Outcome:
        outcome = Outcome(number)
        with requests.Session() as browser:
            form = Page.of(self._get(browser, "/aanmelden", outcome))
            data = {
                **{k: form.hidden(k) for k in ("csrf_token", "submission_token", "started")},
                **answers(name=f"{self.name} {number}"),
                "send": "1",
            }
            for _ in range(TRIES):
                try:
                    sent = browser.post(
                        self.url + "/aanmelden/versturen",
                        data=data,
                        allow_redirects=False,
                        timeout=120,
                        verify=self.verify,
                    )
                except BROKEN as exc:
                    outcome.errors.append(type(exc).__name__)
                    time.sleep(RETRY_AFTER)
                    continue
                outcome.statuses.append(sent.status_code)
                if sent.status_code == 303:
                    confirmation = self._get(browser, "/aanmelden/bevestiging", outcome)
                    found = REFERENCE.search(confirmation.text)
                    outcome.reference = found.group(1) if found else None
                    break
                if sent.status_code == 503 and NOT_SAVED in sent.text and f"{self.name} {number}" in sent.text:
                    outcome.not_saved_pages += 1
                time.sleep(RETRY_AFTER)
        with self._lock:
            self.outcomes.append(outcome)
            self.done += 1
        return outcome

    def run(self, count: int, threads: int, start: int = 0) -> list[Outcome]:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(self.one, range(start, start + count)))

    def run_in_background(self, count: int, threads: int, start: int = 0) -> Callable[[], list[Outcome]]:
        """Start the registrations; returns a function that waits for them and gives the outcomes."""
        found: list[list[Outcome]] = []
        thread = threading.Thread(target=lambda: found.append(self.run(count, threads, start)))
        thread.start()

        def wait() -> list[Outcome]:
            thread.join()
            assert found, "the registrations did not finish"
            return found[0]

        return wait


def summary(outcomes: list[Outcome]) -> str:
    statuses = Counter(status for o in outcomes for status in o.statuses)
    errors = Counter(error for o in outcomes for error in o.errors)
    return f"answers to send: {dict(sorted(statuses.items()))}; broken connections: {dict(errors)}"
