"""What a browser would post back, what a parent would see, and what the database holds.

`tests.support.pages.Page.form` reads <input> fields only; these helpers also read the
selected <option> of a <select> and the text of a <textarea>, so a test can check that
*everything* she typed comes back after an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from balie.extensions import db
from balie.models import OutboxMessage, Registration
from tests.support.pages import Page

TOKENS = ("csrf_token", "submission_token", "started")


class _FormReader(HTMLParser):
    """The successful controls of every form, in document order (HTML §4.10.21.4, simplified)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self.forms.append((a.get("action", ""), []))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields.append((name, a.get("value", "on")))
                return
            fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self._select["multiple"] and options:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self.forms[-1][1].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser drops one newline right after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.forms[-1][1].append((name, text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data


def form_fields(page: Page | str, action_contains: str = "") -> MultiDict[str, str]:
    """What a browser posts with the first form whose action contains the text."""
    html = page.html if isinstance(page, Page) else page
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    for action, fields in reader.forms:
        if action_contains in action:
            return MultiDict(fields)
    raise AssertionError(f"no form posting to {action_contains!r}")


def _normalise(value: str) -> str:
    return value.replace("\r\n", "\n")


def assert_kept(page: Page, typed: Mapping[str, Any] | Iterable[tuple[str, Any]], action: str = "") -> None:
    """Every value she typed (or ticked) comes back in the form, unchanged."""
    shown = form_fields(page, action)
    items = typed.items() if isinstance(typed, Mapping) else typed
    expected: dict[str, list[str]] = {}
    for name, value in items:
        if name in TOKENS or name in {"send", "edit", "website"}:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        expected.setdefault(name, []).extend(str(v) for v in values)
    for name, values in expected.items():
        wanted = [_normalise(v) for v in values if v != ""]
        got = [_normalise(v) for v in shown.getlist(name) if v != ""]
        assert got == wanted, f"{name}: typed {wanted!r}, shown {got!r}"


def error_links(page: Page) -> list[str]:
    """The fields the error summary links to (the skip link is not part of it)."""
    return [target for target, _text in page.summary_links if target != "main"]


def registration_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Registration)) or 0


def outbox_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def english(client: Any) -> Any:
    """A parent who chose English (the page texts below are asserted in English)."""
    client.set_cookie("balie_lang", "en")
    return client


class _FocusReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.focused: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in {"input", "select", "textarea"} and "autofocus" in a:
            self.focused.append(a.get("name") or "")


def focused_fields(page: Page) -> list[str]:
    """Names of the form controls that get the focus when the page opens."""
    reader = _FocusReader()
    reader.feed(page.html)
    return reader.focused


def fill(page: Page, typed: Mapping[str, Any], action_contains: str = "/aanmelden") -> MultiDict[str, str]:
    """The page's form with her answers typed in (lists tick several boxes)."""
    data = form_fields(page, action_contains)
    for name, value in typed.items():
        data.setlist(name, [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)])
    return data
