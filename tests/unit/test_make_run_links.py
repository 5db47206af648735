"""`make run PORT=5101` serves on :5101, so the links it makes must point there too (issue 10 §24):
the Makefile passes BALIE_PUBLIC_BASE_URL from HOST and PORT to what it runs, unless it is set,
and never to the tests. The flask command is replaced by `printenv`, so nothing is installed or
started; the app reads the variable like any BALIE_ setting (tests/unit/test_production_config.py
checks production's own rule)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from balie.config import PROJECT_ROOT

SHOW = "printenv BALIE_PUBLIC_BASE_URL; true #"  # the rest of the recipe line becomes a comment


def make(*args: str, **env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", "setup", "-o", "database", *args, f"FLASK={SHOW}"],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def test_make_run_on_another_port_links_to_that_port() -> None:
    said, link = make("run", "PORT=5101")
    assert said.startswith("Balie runs at http://127.0.0.1:5101") and said.endswith("http://127.0.0.1:5101")
    assert link == "http://127.0.0.1:5101"


def test_the_default_address_and_the_commands_that_print_or_mail_links() -> None:
    assert make("run")[-1] == "http://127.0.0.1:5000"
    assert make("admin", "PORT=5102", "EMAIL=a@example.org", "NAME=A") == ["http://127.0.0.1:5102"]
    assert make("mail", "HOST=127.0.0.2", "PORT=5103") == ["http://127.0.0.2:5103"]


def test_an_address_that_is_set_wins() -> None:
    assert make("run", "PORT=5101", BALIE_PUBLIC_BASE_URL="http://192.0.2.10:5101")[-1] == "http://192.0.2.10:5101"


def test_the_tests_get_no_address_from_the_makefile(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "[$BALIE_PUBLIC_BASE_URL]"\n')
    python.chmod(0o755)
    done = subprocess.run(
        [
            "make",
            "-s",
            "-o",
            "setup-test",
            "-o",
            "system-packages",
            "-o",
            "lint",
            "test",
            f"BIN={tmp_path}",
            "PORT=5101",
        ],
        cwd=PROJECT_ROOT,
        env={k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
