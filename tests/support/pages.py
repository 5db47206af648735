"""Reading pages the way a user (or a test) does: forms, errors, text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from werkzeug.datastructures import MultiDict


@dataclass
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.text: list[str] = []
        self.errors: list[str] = []
        self.summary_links: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._in_error = 0
        self._in_summary_link: str | None = None
        self._skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag in {"script", "style"}:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag == "form":
            self.forms.append(_Form(a.get("action", ""), a.get("method", "get").lower()))
        if tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.forms[-1].fields.append((a["name"], a.get("value", "")))
        if tag == "select":
            self._select = a.get("name")
            self.options.setdefault(self._select or "", [])
        if tag == "option" and self._select is not None:
            self.options[self._select].append(a.get("value", ""))
        if "error-message" in classes:
            self._in_error += 1
            self.errors.append("")
        if tag == "a" and a.get("href", "").startswith("#") and self._in_summary_link is None:
            self._in_summary_link = a["href"][1:]
            self.summary_links.append((self._in_summary_link, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag == "select":
            self._select = None
        if tag == "p" and self._in_error:
            self._in_error -= 1
        if tag == "a" and self._in_summary_link is not None:
            self._in_summary_link = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self.title += data
        self.text.append(data)
        if self._in_error:
            self.errors[-1] += data
        if self._in_summary_link is not None:
            target, text = self.summary_links[-1]
            self.summary_links[-1] = (target, text + data)


class _RequestsResponse:
    """A `requests` response seen through the little of Flask's response that Page reads."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._text = response.text

    def get_data(self, as_text: bool = False) -> str:
        return self._text


class Page:
    def __init__(self, response: Any) -> None:
        self.response = response
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        parser = _Parser()
        parser.feed(self.html)
        self._parser = parser

    @classmethod
    def of(cls, response: Any) -> Page:
        """A page fetched with `requests` (from a real server) instead of the Flask test client."""
        return cls(_RequestsResponse(response))

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._parser.text).split())

    @property
    def title(self) -> str:
        return " ".join(self._parser.title.split())

    @property
    def errors(self) -> list[str]:
        return [" ".join(e.replace("Fout:", "").replace("Error:", "").split()) for e in self._parser.errors]

    @property
    def summary_links(self) -> list[tuple[str, str]]:
        return [(target, " ".join(text.split())) for target, text in self._parser.summary_links]

    def options(self, name: str) -> list[str]:
        return self._parser.options.get(name, [])

    def form(self, action_contains: str = "") -> MultiDict[str, str]:
        """The fields a browser would post with the first form whose action contains the text."""
        for form in self._parser.forms:
            if action_contains in form.action:
                return MultiDict(form.fields)
        raise AssertionError(f"no form posting to {action_contains!r}")

    def hidden(self, name: str) -> str:
        for form in self._parser.forms:
            for key, value in form.fields:
                if key == name:
                    return value
        raise AssertionError(f"no field {name!r}")
