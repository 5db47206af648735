"""Markdown for the vraagbaak, rendered and then sanitised: only safe tags, only safe links."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SERVICE_LINK = re.compile(r"/sociale-kaart/aanbod/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def render(text: str) -> Markup:
    """Markdown → HTML that cannot run scripts or load anything (raw HTML in the source is text)."""
    html = _MARKDOWN.render(text or "")
    html = re.sub(r"<h[12]>", "<h3>", re.sub(r"</h[12]>", "</h3>", html))  # page headings stay the page's
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 just above


def linked_services(text: str) -> list[str]:
    """Ids of sociale kaart offerings the text links to (shown as small cards)."""
    seen: list[str] = []
    for service_id in SERVICE_LINK.findall(text or ""):
        if service_id not in seen:
            seen.append(service_id)
    return seen
