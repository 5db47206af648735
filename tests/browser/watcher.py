"""What every browser context in the browser tests is watched for: each request must stay on
127.0.0.1, and no Content-Security-Policy report or uncaught script error may appear."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Request, WebError


@dataclass
class Watcher:
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", self._web_error)

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
        if urlsplit(request.url).hostname != "127.0.0.1":
            self.problems.append(f"request to another host: {request.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"CSP violation: {message.text}")

    def _web_error(self, error: WebError) -> None:
        self.problems.append(f"script error: {error.error}")

    def assert_clean(self) -> None:
        assert self.requests, "no request was recorded: the watcher is not attached"
        assert self.problems == [], "\n".join(self.problems)
