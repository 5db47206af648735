"""Production refuses keys that are public or shared (the app does not start).

The secret key, the data-encryption keys and the audit keys must each be real and different:
a secret key that *is* a data key (as its base64 text, its `id:base64` entry or its raw bytes)
would put the data key into every signed cookie's reach; an audit key that is a data key or the
secret key lets whoever has one forge the access log's chain.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from balie import create_app
from balie.config import DEV_AUDIT_KEY, DEV_DATA_KEY, ConfigError

RAW_DATA = b"0123456789abcdefghijklmnopqrstuv"  # 32 printable bytes, so it can be typed as a secret
DATA_B64 = base64.b64encode(RAW_DATA).decode()
DATA_KEYS = f"k1:{DATA_B64}"
AUDIT_B64 = base64.b64encode(b"A" * 31 + b"z").decode()
AUDIT_KEYS = f"a1:{AUDIT_B64}"
SECRET = "a-real-secret-key-of-more-than-thirty-two-bytes-0f3c"


def production(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'balie.sqlite3'}",
        "SECRET_KEY": SECRET,
        "DATA_KEYS": DATA_KEYS,
        "AUDIT_KEYS": AUDIT_KEYS,
        "AUDIT_HEAD_FILE": str(tmp_path / "audit-head.json"),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # production counts in Redis; never reached here
        "PUBLIC_BASE_URL": "https://balie.voorbeeldregio.example",
        **changes,
    }


def test_a_real_production_configuration_starts(tmp_path: Path) -> None:
    app = create_app(production(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "changes, refusal",
    [
        ({"AUDIT_KEYS": DEV_AUDIT_KEY}, "BALIE_AUDIT_KEYS with a real key, not the development key"),
        ({"AUDIT_KEYS": "a1:" + DEV_AUDIT_KEY.partition(":")[2]}, "BALIE_AUDIT_KEYS with a real key"),
        ({"AUDIT_KEYS": f"{AUDIT_KEYS},{DEV_AUDIT_KEY}"}, "BALIE_AUDIT_KEYS with a real key"),
        ({"AUDIT_KEYS": f"a1:{DATA_B64}"}, "BALIE_AUDIT_KEYS and BALIE_DATA_KEYS must not share a key"),
        ({"AUDIT_KEYS": f"{AUDIT_KEYS},{DATA_KEYS}"}, "must not share a key"),
        ({"DATA_KEYS": "k1:" + DEV_DATA_KEY.partition(":")[2]}, "BALIE_DATA_KEYS with a real key"),
        ({"SECRET_KEY": DATA_B64}, "BALIE_SECRET_KEY and the data-encryption key must differ"),
        ({"SECRET_KEY": DATA_KEYS}, "BALIE_SECRET_KEY and the data-encryption key must differ"),
        ({"SECRET_KEY": RAW_DATA.decode()}, "BALIE_SECRET_KEY and the data-encryption key must differ"),
        ({"SECRET_KEY": RAW_DATA}, "BALIE_SECRET_KEY and the data-encryption key must differ"),
        ({"SECRET_KEY": f"{AUDIT_KEYS},{DATA_KEYS}"}, "must differ"),
        ({"SECRET_KEY": AUDIT_B64}, "BALIE_SECRET_KEY and the audit key must differ"),
        ({"SECRET_KEY": AUDIT_KEYS}, "BALIE_SECRET_KEY and the audit key must differ"),
        ({"AUDIT_KEYS": "a1:not-base64"}, "BALIE_AUDIT_KEYS is not valid"),
        ({"AUDIT_HEAD_SYSLOG": "syslog.example:514"}, "BALIE_AUDIT_HEAD_SYSLOG is not valid"),
    ],
)
def test_production_refuses_public_or_shared_keys(tmp_path: Path, changes: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ConfigError) as refused:
        create_app(production(tmp_path, **changes))
    message = str(refused.value)
    assert refusal in message
    assert DATA_B64 not in message and AUDIT_B64 not in message and RAW_DATA.decode() not in message


def test_development_runs_on_the_public_keys_and_exports_the_head_to_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BALIE_AUDIT_HEAD_FILE", raising=False)
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.config["AUDIT_KEYS"] == DEV_AUDIT_KEY
    assert Path(app.config["AUDIT_HEAD_FILE"]) == Path(app.instance_path) / "audit-head.json"


@pytest.mark.parametrize(
    "address",
    [None, "http://balie.voorbeeldregio.example", "http://127.0.0.1:5000", "https://", "balie.voorbeeldregio.example"],
)
def test_production_refuses_links_that_are_not_to_its_https_address(tmp_path: Path, address: str | None) -> None:
    """Mail, advice cards and the command line would send people to a development or plain-http
    address (issue 10 §24); `None`: not set at all, so the development default would be used."""
    settings = production(tmp_path)
    if address is None:
        del settings["PUBLIC_BASE_URL"]
    else:
        settings["PUBLIC_BASE_URL"] = address
    with pytest.raises(ConfigError, match=r"Production needs BALIE_PUBLIC_BASE_URL=https://"):
        create_app(settings)
