"""The files in deploy/ are what an operator installs, so they must be right as files:
systemd accepts the units, the environment example starts the app in production once its
placeholders are filled, and the nginx renderer refuses to leave a variable empty.
(tests/production/ runs the nginx site, the app node unit and the daily jobs for real.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from balie import create_app
from balie.config import PROJECT_ROOT
from balie.crypto import new_key_text

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = ("balie.service", "balie-outbox.service", "balie-daily.service", "balie-daily.timer")


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (make test installs systemd)"
    for unit in UNITS:  # as installed, but pointing at this checkout instead of /opt/balie
        (tmp_path / unit).write_text((DEPLOY / unit).read_text().replace("/opt/balie", str(PROJECT_ROOT)))
    done = subprocess.run([analyze, "verify", *(str(tmp_path / u) for u in UNITS)], capture_output=True, text=True)
    # Only warnings about the system this runs on (no "balie" user, no systemd as PID 1) may remain.
    problems = [line for line in (done.stdout + done.stderr).splitlines() if str(tmp_path) in line or "Command" in line]
    assert done.returncode == 0 and problems == [], done.stdout + done.stderr


def test_the_environment_example_starts_production_once_its_secrets_are_filled_in() -> None:
    example = dict(
        line.split("=", 1)
        for line in (DEPLOY / "balie.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert "change-me" in example["BALIE_SECRET_KEY"]
    filled = {
        **example,
        "BALIE_SECRET_KEY": "x" * 48,
        "BALIE_DATA_KEYS": new_key_text("k1"),
        "BALIE_AUDIT_KEYS": new_key_text("a1"),
        "BALIE_DATABASE_URL": "sqlite://",
    }
    settings = {key.removeprefix("BALIE_"): value for key, value in filled.items() if not key.startswith("BALIE_W")}
    app = create_app(
        {key: int(v) if v.isdigit() else v for key, v in settings.items() if key not in {"BIND", "THREADS"}}
    )
    assert app.config["ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_the_nginx_renderer_refuses_a_missing_variable(tmp_path: Path) -> None:
    variables = dict(
        line.split("=", 1)
        for line in (DEPLOY / "nginx.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    env = {"PATH": os.environ["PATH"], **variables}
    rendered = subprocess.run(
        [str(DEPLOY / "render-nginx")], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "${BALIE_" not in rendered
    assert f"server_name {variables['BALIE_SERVER_NAME']};" in rendered
    assert re.search(r"proxy_set_header X-Forwarded-For \$remote_addr;", rendered), "nginx's own variables stay"
    del env["BALIE_TLS_KEY"]
    refused = subprocess.run([str(DEPLOY / "render-nginx")], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "BALIE_TLS_KEY is not set" in refused.stderr


@pytest.mark.parametrize("setting", ["BALIE_WORKERS", "BALIE_THREADS", "BALIE_BIND"])
def test_gunicorn_takes_its_settings_from_the_environment(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values = {"BALIE_WORKERS": "3", "BALIE_THREADS": "5", "BALIE_BIND": "127.0.0.1:8123"}
    monkeypatch.setenv(setting, values[setting])
    namespace: dict[str, object] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    found = {
        "BALIE_WORKERS": namespace["workers"],
        "BALIE_THREADS": namespace["threads"],
        "BALIE_BIND": namespace["bind"],
    }
    assert str(found[setting]) == values[setting]
    assert namespace["worker_class"] == "gthread"
