"""Forms that take a file get their own request size limit, larger than every other form's.

MAX_CONTENT_LENGTH keeps ordinary requests small. A view marked with ``accepts_upload(SETTING)``
gets ``config[SETTING]`` (plus room for the form's other fields) instead, set before anything
reads the body (the CSRF check reads the form first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request

F = TypeVar("F", bound=Callable[..., Any])
UPLOAD_LIMIT = "_balie_upload_limit"
MARGIN = 64 * 1024  # the CSRF token, the multipart framing


def accepts_upload(setting: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        setattr(view, UPLOAD_LIMIT, setting)
        return view

    return decorator


def register(app: Flask) -> None:
    @app.before_request
    def _upload_limit() -> None:
        setting = getattr(app.view_functions.get(request.endpoint or ""), UPLOAD_LIMIT, None)
        if setting is not None:
            request.max_content_length = int(app.config[setting]) + MARGIN
