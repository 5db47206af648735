"""Configuration: defaults, then an optional instance file, then BALIE_* variables, then overrides.

Every setting can be given as an environment variable with the ``BALIE_`` prefix
(``BALIE_DATABASE_URL``, ``BALIE_SECRET_KEY`` …). Values are parsed as JSON when they look
like JSON (``BALIE_SPAM_MIN_SECONDS=0`` is the number 0), otherwise taken as text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from flask import Flask

if TYPE_CHECKING:
    from balie.crypto import KeyRing

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Development-only values. They are public (they are in this file), so production refuses them.
DEV_SECRET_KEY = "balie-development-secret-key-not-for-production"  # noqa: S105 - refused in production
DEV_DATA_KEY = "dev:" + base64.b64encode(hashlib.sha256(b"balie-development-data-key").digest()).decode()
DEV_AUDIT_KEY = "dev:" + base64.b64encode(hashlib.sha256(b"balie-development-audit-key").digest()).decode()


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


class Config:
    """Safe development defaults. Production overrides them through BALIE_* variables."""

    ENV = "development"  # or "production"
    DEBUG = False
    TESTING = False
    SECRET_KEY = DEV_SECRET_KEY
    # Data-encryption keys: "id:base64(32 bytes)", comma separated, the first one encrypts.
    DATA_KEYS = DEV_DATA_KEY
    # Access-log keys, same form: the first signs new rows and the exported head, all verify.
    AUDIT_KEYS = DEV_AUDIT_KEY
    # The access log's signed head goes here after every commit that wrote to it (default:
    # instance/audit-head.json); `flask audit verify` checks the log against it.
    AUDIT_HEAD_FILE: str | None = None
    # Optionally also to syslog, one line per export: "udp:host:port", "tcp:host:port" or a socket path.
    AUDIT_HEAD_SYSLOG: str | None = None
    DATABASE_URL: str | None = None  # default: SQLite file in the instance folder
    SQLITE_BUSY_TIMEOUT_MS = 5000

    REGION_NAME = "Voorbeeldregio"
    # The region this desk serves, as CBS GGD-regio codes (GG7014 = GGD Haaglanden).
    REGION_GGD_CODES = "GG7014"
    # The desk's own address, for links in mail, on advice cards and on the command line.
    # `make run` sets it to the address it serves on; production must give its https:// address.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    CONTACT_EMAIL = "balie@voorbeeldregio.example"  # shown to users for questions and problems
    # The privacy page (AVG art. 13): who is responsible for the personal data on this desk (the
    # controller, verwerkingsverantwoordelijke) and its data protection officer (functionaris
    # gegevensbescherming), each with a way to reach them. The defaults are example values, and the
    # privacy page says so while they are in use: every region sets its own.
    PRIVACY_CONTROLLER = "GGD Voorbeeldregio (voorbeeld), namens de gemeenten in de regio"
    PRIVACY_CONTROLLER_CONTACT = "privacy@ggd-voorbeeldregio.example"
    PRIVACY_DPO = "Functionaris gegevensbescherming GGD Voorbeeldregio (voorbeeld)"
    PRIVACY_DPO_CONTACT = "fg@ggd-voorbeeldregio.example"
    # "Exit this page" on the parents' pages goes here: a neutral, widely used Dutch site.
    EXIT_PAGE_URL = "https://www.buienradar.nl/"
    # Each app node keeps its own copy of the search indexes here (default: instance/search).
    SEARCH_INDEX_DIR: str | None = None

    # Mail: files in instance/mail unless an SMTP host is configured.
    MAIL_FROM = "Balie Voorbeeldregio <noreply@balie.example>"
    MAIL_DIR: str | None = None
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True
    # The longest one SMTP send may take in all, connecting to QUIT: a send still running then
    # is cut off and retried later (smtplib's own timeout holds per socket operation only).
    SMTP_TIMEOUT_SECONDS = 20
    # A worker claims one message at a time for this long and renews the claim right before
    # sending; a killed worker's message goes to another worker when it runs out. At least
    # 2 × SMTP_TIMEOUT_SECONDS: the send plus time to record its outcome (config.validate).
    OUTBOX_LEASE_SECONDS = 60
    OUTBOX_POLL_SECONDS = 5  # an idle worker looks for due messages this often

    # Public registration form: spam and abuse protection without third parties.
    SPAM_MIN_SECONDS = 3
    SPAM_MAX_AGE_SECONDS = 24 * 3600
    REGISTRATION_RATE_LIMIT = "40 per hour"
    REGISTRATION_GLOBAL_LIMIT = "600 per minute"
    # Where rate limits are counted. memory:// counts per process: with N gunicorn workers or
    # app nodes every limit becomes N times as high, so production refuses it (use redis://).
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict[str, float]] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    # Redis down: each process counts on its own until it is back (logged as a security event),
    # so registrations and logins keep working and stay limited, if less strictly.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    CONFIRMATION_VISIBLE_MINUTES = 120
    PURGE_WEEKS_AFTER_DUE = 6
    # Personal data leaves the desk this many days after hand-over or closing.
    PURGE_DAYS_AFTER_CLOSE = 30

    # Staff accounts.
    LOGIN_RATE_LIMIT = "20 per minute; 200 per hour"
    SESSION_IDLE_MINUTES_PERSONAL_DATA = 15  # JGZ staff, who see personal data
    SESSION_IDLE_MINUTES = 60
    SESSION_LIFETIME_HOURS = 12
    # Number of trusted reverse proxies in front of the app (for the client address).
    PROXY_HOPS = 0

    MAX_CONTENT_LENGTH = 256 * 1024
    # A gemeente editor's spreadsheet upload (its own limit: larger than other forms).
    DIRECTORY_UPLOAD_MAX_BYTES = 5 * 1024 * 1024

    # The monitor's reach and money. The national financing of the prenatal home visit assumes a
    # visit for this share of live births (16.5 %: children born too early or too light in 2017,
    # the "Big2"), at this tariff per family (EUR 190 for 2.5 hours, agreed with the VNG for the
    # legal task from 2022; the source names no price year, 2022 is assumed). Text or number.
    MONITOR_FINANCING_NORM_PERCENT = "16.5"
    MONITOR_TARIFF_PER_FAMILY_EUROS = "190.00"
    MONITOR_TARIFF_PRICE_YEAR = 2022
    # Largest CBS StatLine export (table 37230ned, CSV) a monitor may import for live births.
    MONITOR_BIRTHS_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    DIRECTORY_UPLOAD_MAX_ROWS = 10_000
    MAX_FORM_PARTS = 200
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # Pages send Referrer-Policy: no-referrer, so browsers send no Referer: the strict HTTPS
    # Referer check would refuse every POST. Token + SameSite + balie.web.cross_site do the job.
    WTF_CSRF_SSL_STRICT = False
    SESSION_COOKIE_NAME = "balie_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    HSTS_SECONDS = 31536000
    PREFERRED_URL_SCHEME = "http"

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"


class TestConfig(Config):
    """Used by the test suite: fast, deterministic, nothing leaves the machine."""

    TESTING = True
    LOGIN_RATE_LIMIT = "10000 per minute"
    SPAM_MIN_SECONDS = 0
    REGISTRATION_RATE_LIMIT = "10000 per hour"
    REGISTRATION_GLOBAL_LIMIT = "100000 per minute"
    SQLITE_BUSY_TIMEOUT_MS = 1000


PRODUCTION_OVERRIDES: Mapping[str, Any] = {
    "DEBUG": False,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-balie",
    "PREFERRED_URL_SCHEME": "https",
}


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill app.config in the fixed order: defaults, instance file, environment, overrides."""
    app.config.from_object(TestConfig if overrides and overrides.get("TESTING") else Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BALIE")
    if overrides:
        app.config.update(overrides)
    if app.config["ENV"] == "production":
        app.config.update(PRODUCTION_OVERRIDES)
    instance = Path(app.instance_path)
    app.config.setdefault("MAIL_DIR", None)
    if not app.config["MAIL_DIR"]:
        app.config["MAIL_DIR"] = str(instance / "mail")
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'balie.sqlite3'}"
    app.config["SOCIALE_KAART_DIR"] = str(PROJECT_ROOT / "sociale_kaart")
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(instance / "search")
    if not app.config.get("AUDIT_HEAD_FILE"):
        app.config["AUDIT_HEAD_FILE"] = str(instance / "audit-head.json")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    validate(app.config)


PRIVACY_SETTINGS = ("PRIVACY_CONTROLLER", "PRIVACY_CONTROLLER_CONTACT", "PRIVACY_DPO", "PRIVACY_DPO_CONTACT")


def privacy_example_values(config: Mapping[str, Any]) -> bool:
    """Whether the privacy page still names the example controller or data protection officer."""
    return any(str(config.get(name) or "") == getattr(Config, name) for name in PRIVACY_SETTINGS)


def _decimal(config: Mapping[str, Any], name: str) -> Decimal:
    try:
        value = Decimal(str(config[name]).strip())
    except (InvalidOperation, ValueError):
        raise ConfigError(f"BALIE_{name} must be a number such as 16.5") from None
    if not value.is_finite():
        raise ConfigError(f"BALIE_{name} must be a number such as 16.5")
    return value


def financing_norm_share(config: Mapping[str, Any]) -> Decimal:
    """The expected target group as a share of live births: 16.5 % is Decimal("0.165")."""
    return _decimal(config, "MONITOR_FINANCING_NORM_PERCENT") / 100


def tariff_per_family(config: Mapping[str, Any]) -> Decimal:
    """The tariff per family with at least one home visit, in euros (price year MONITOR_TARIFF_PRICE_YEAR)."""
    return _decimal(config, "MONITOR_TARIFF_PER_FAMILY_EUROS")


def _validate_monitor(config: Mapping[str, Any]) -> None:
    if not 0 < financing_norm_share(config) <= 1:
        raise ConfigError("BALIE_MONITOR_FINANCING_NORM_PERCENT must be more than 0 and at most 100")
    tariff = tariff_per_family(config)
    if not 0 < tariff < 100_000 or tariff != tariff.quantize(Decimal("0.01")):
        raise ConfigError("BALIE_MONITOR_TARIFF_PER_FAMILY_EUROS must be an amount in euros such as 190.00")
    year = config["MONITOR_TARIFF_PRICE_YEAR"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ConfigError("BALIE_MONITOR_TARIFF_PRICE_YEAR must be a year such as 2022")


def region_ggd_codes(config: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(code.strip() for code in str(config["REGION_GGD_CODES"]).split(",") if code.strip())


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _key_bytes_in(value: str | bytes) -> set[bytes]:
    """Every key a value could carry: itself, or as base64, or in an `id:base64` entry (or a list of them)."""
    found = {_bytes(value)}
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    for part in (p.strip() for p in text.split(",")):
        for candidate in (part, part.partition(":")[2]):
            try:
                found.add(base64.b64decode(candidate, validate=True))
            except (binascii.Error, ValueError):
                pass
    return found


def _ring(config: Mapping[str, Any], name: str) -> KeyRing:
    from balie.crypto import KeyRing  # local import: crypto must not depend on config at import

    try:
        return KeyRing.parse(str(config[name]))
    except ValueError as exc:
        raise ConfigError(f"BALIE_{name} is not valid: {exc}") from None


def validate(config: Mapping[str, Any]) -> None:
    """Refuse unsafe settings. In production: a real secret key, data key and audit key, all different."""
    from balie.audit_head import parse_syslog_target

    data_keys, audit_keys = _ring(config, "DATA_KEYS"), _ring(config, "AUDIT_KEYS")
    if config.get("AUDIT_HEAD_SYSLOG"):
        try:
            parse_syslog_target(str(config["AUDIT_HEAD_SYSLOG"]))
        except ValueError as exc:
            raise ConfigError(f"BALIE_AUDIT_HEAD_SYSLOG is not valid: {exc}") from None
    if config["ENV"] not in {"development", "production"}:
        raise ConfigError("BALIE_ENV must be 'development' or 'production'")
    _validate_outbox(config)
    _validate_monitor(config)
    if config["ENV"] != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    secret = secret if isinstance(secret, bytes) else str(secret)
    if _bytes(secret) == DEV_SECRET_KEY.encode() or len(_bytes(secret)) < 32:
        raise ConfigError("Production needs BALIE_SECRET_KEY: at least 32 random bytes, not the default")
    for name, ring, public in (("DATA_KEYS", data_keys, DEV_DATA_KEY), ("AUDIT_KEYS", audit_keys, DEV_AUDIT_KEY)):
        if "dev" in ring.key_ids or _key_bytes_in(public) & set(ring.raw_keys()):
            raise ConfigError(f"Production needs BALIE_{name} with a real key, not the development key")
    if _key_bytes_in(secret) & set(data_keys.raw_keys()):
        raise ConfigError("BALIE_SECRET_KEY and the data-encryption key must differ")
    if _key_bytes_in(secret) & set(audit_keys.raw_keys()):
        raise ConfigError("BALIE_SECRET_KEY and the audit key must differ")
    if set(audit_keys.raw_keys()) & set(data_keys.raw_keys()):
        raise ConfigError("BALIE_AUDIT_KEYS and BALIE_DATA_KEYS must not share a key")
    address = urlsplit(str(config.get("PUBLIC_BASE_URL") or ""))
    if address.scheme != "https" or not address.hostname:
        raise ConfigError(
            "Production needs BALIE_PUBLIC_BASE_URL=https://…, the address parents and staff open: "
            "links in mail, on advice cards and on the command line point there"
        )
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        raise ConfigError(
            "Production needs BALIE_RATELIMIT_STORAGE_URI=redis://…: memory:// counts in each process, "
            "so with several gunicorn workers or app nodes every rate limit would be several times as high"
        )


def _seconds(config: Mapping[str, Any], name: str) -> float:
    try:
        value = float(config[name])
    except (TypeError, ValueError):
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise ConfigError(f"BALIE_{name} must be a number of seconds above 0, not {config[name]!r}")
    return value


def _validate_outbox(config: Mapping[str, Any]) -> None:
    """The outbox lease must outlast one send (cut off after SMTP_TIMEOUT_SECONDS) and leave
    as long again to record its outcome; otherwise a slow send could go out twice."""
    smtp_timeout = _seconds(config, "SMTP_TIMEOUT_SECONDS")
    lease = _seconds(config, "OUTBOX_LEASE_SECONDS")
    _seconds(config, "OUTBOX_POLL_SECONDS")
    if lease < 2 * smtp_timeout:
        raise ConfigError(
            f"BALIE_OUTBOX_LEASE_SECONDS ({lease:g}) must be at least twice BALIE_SMTP_TIMEOUT_SECONDS "
            f"({smtp_timeout:g}), i.e. {2 * smtp_timeout:g}: one send may take that long, and its outcome must "
            "be recorded before another worker may take the message over"
        )
