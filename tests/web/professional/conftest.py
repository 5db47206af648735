"""Fixtures for the professional routes through the web: an app with its own search index and
public address, Vera the midwife, and Vera's browser, logged in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from balie.extensions import db
from tests.support.accounts import Account
from tests.support.professionals import build_app, professional, signed_in


@pytest.fixture
def app(sqlite_template_path: Path, tmp_path: Path) -> Iterator[Flask]:
    """Overrides the suite's `app`: see `tests.support.professionals.build_app`."""
    application = build_app(sqlite_template_path, tmp_path / "app")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def vera(app: Flask) -> Account:
    return professional(app)


@pytest.fixture
def pro(app: Flask, vera: Account) -> Any:
    """Vera's browser, logged in."""
    return signed_in(app, vera)
