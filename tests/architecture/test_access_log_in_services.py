"""The access log is written by the services that open personal data, not by the pages (issue 11, seam 3).

A second entry point to the same use cases (a command, the coming monitor, an API) calls the
services without any request; it must leave the same access-log rows as the pages do. And the
rows carry fixed English event codes from one table (balie.domain.audit_events), whatever the
address of a page is called.
"""

from __future__ import annotations

import ast
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask, has_request_context
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from balie.clock import today
from balie.config import region_ggd_codes
from balie.domain import audit_events
from balie.domain.due_date import allowed_months
from balie.domain.postcode import HouseNumber, Postcode
from balie.domain.registration import ContactPreferences, RegistrationData
from balie.domain.status_flow import Step
from balie.extensions import db
from balie.models import AccessLogEntry, User
from balie.models.base import utcnow
from balie.services.accounts import administration as account_admin
from balie.services.audit import access_log
from balie.services.registrations import inbox
from balie.services.registrations import submission as registrations
from tests.support.accounts import DELFLAND, HOFSTAD, admin, login, make_user, nurse
from tests.support.staff import access_rows, open_sessions

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "balie"
SERVICES = PACKAGE / "services"
TABLE = PACKAGE / "domain" / "audit_events.py"
WRITERS = {"record", "record_event"}
# A string that reads like an audit event code: registration.read, user.invite, access_log.export …
# (not a column, such as the foreign key "registration.id")
CODE_LIKE = re.compile(r"(registration|user|access_log)\.(?!id$)[a-z_-]+")


# --- a second entry point: the services called without any request ------------------------------


def _submitted(app: Flask, name: str = "Sam Canary") -> str:
    """A parent's registration in Delft (JGZ Delfland), stored through the service, as the form does."""
    data = RegistrationData(
        name=name,
        phone="+31612345678",
        email=None,
        postcode=Postcode.parse("2611 AB"),
        house=HouseNumber.parse("12"),
        due=allowed_months(today())[3],
        language="nl",
        interpreter="no",
        preferences=ContactPreferences(),
        advisor_kind=None,
        note="",
        wants_mail=False,
        submission_token=secrets.token_urlsafe(16),
    )
    settings = registrations.SubmitSettings(
        keys=app.extensions["balie.keys"],
        region_ggd_codes=region_ggd_codes(app.config),
        purge_weeks_after_due=6,
        today=today(),
    )
    with app.app_context(), db.writing():
        registration_id = registrations.submit(db.session, data, settings).registration.id
        db.commit()
    return registration_id


@pytest.fixture
def command(app: Flask) -> Iterator[Any]:
    """What a command or an API has: an application context and its session, no request."""
    with app.app_context(), db.writing():
        assert not has_request_context()
        yield db.session


def _new_rows(app: Flask, before: int) -> list[AccessLogEntry]:
    return access_rows(app)[before:]


def _row(entry: AccessLogEntry) -> tuple[Any, ...]:
    return (
        entry.event_code,
        entry.action_code,
        entry.outcome,
        entry.actor_user_id,
        entry.actor_role,
        entry.actor_org_id,
        entry.object_type,
        entry.object_id,
        entry.object_detail,
    )


@pytest.mark.parametrize(
    ("purpose", "event", "action", "detail"),
    [
        (inbox.Purpose.VIEW, "registration.read", "R", "full"),
        (inbox.Purpose.PRINT, "registration.export", "E", "print"),
        (inbox.Purpose.DOWNLOAD, "registration.export", "E", "json"),
    ],
)
def test_opening_a_registration_without_a_page_writes_its_access_log_row(
    app: Flask, purpose: inbox.Purpose, event: str, action: str, detail: str
) -> None:
    registration_id = _submitted(app)
    nurse_id = nurse(app).id
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        staff = inbox.Staff(nurse_id, frozenset({DELFLAND}))
        opened = inbox.open_registration(db.session, staff, registration_id, app.extensions["balie.keys"], purpose)
        assert opened.person.name == "Sam Canary"
        db.commit()
    expected = (event, action, "success", nurse_id, "jgz_staff", DELFLAND, "registration", registration_id, detail)
    assert [_row(entry) for entry in _new_rows(app, before)] == [expected]


def test_exporting_a_registration_for_the_dossier_without_a_page_is_logged(app: Flask) -> None:
    registration_id = _submitted(app)
    nurse_id = nurse(app).id
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        staff = inbox.Staff(nurse_id, frozenset({DELFLAND}), access_point="cli")
        record = inbox.export_registration(db.session, staff, registration_id, app.extensions["balie.keys"])
        db.commit()
    assert record["id"] == registration_id and record["parent"]["name"] == "Sam Canary"  # type: ignore[index]
    (row,) = _new_rows(app, before)
    assert _row(row) == (
        "registration.export",
        "E",
        "success",
        nurse_id,
        "jgz_staff",
        DELFLAND,
        "registration",
        registration_id,
        "json",
    )
    assert row.access_point == "cli"


def test_another_organisations_registration_is_refused_and_the_attempt_logged(app: Flask) -> None:
    registration_id = _submitted(app)
    other_id = nurse(app, "verpleegkundige@hofstad.example", HOFSTAD).id
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        staff = inbox.Staff(other_id, frozenset({HOFSTAD}))
        with pytest.raises(inbox.NotFound):
            inbox.open_registration(db.session, staff, registration_id, app.extensions["balie.keys"])
        db.commit()  # the caller commits the refusal, as the page does before its 404
    assert [_row(entry) for entry in _new_rows(app, before)] == [
        ("registration.read", "R", "denied", other_id, "jgz_staff", HOFSTAD, "registration", registration_id, None)
    ]


def test_steps_history_and_erasure_without_a_page_are_logged(app: Flask) -> None:
    registration_id = _submitted(app)
    nurse_id = nurse(app).id
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        staff = inbox.Staff(nurse_id, frozenset({DELFLAND}))
        registration = inbox.find_for(db.session, staff, registration_id, inbox.Purpose.STEP)
        inbox.record_step(db.session, staff, registration, Step.CONTACT_MADE, None, utcnow())
        db.commit()
        history = inbox.access_history(db.session, staff, registration_id)
        db.commit()
        inbox.erase(db.session, staff, history.registration, utcnow())
        db.commit()
    assert [(r.event_code, r.action_code, r.object_detail) for r in _new_rows(app, before)] == [
        ("registration.status_change", "U", "step=contact_made"),
        ("access_log.read", "R", "history"),
        ("registration.purge", "D", None),
    ]
    assert [group.event_code for group in history.groups] == ["registration.create", "registration.status_change"]
    assert history.names == {nurse_id: "Test Gebruiker"}


def test_the_administrators_use_cases_without_a_page_write_their_audit_rows(app: Flask) -> None:
    admin_id = admin(app).id
    target = make_user(app, "collega@delfland.example", [], totp=False, name="Col Lega")
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        by_admin = access_log.Actor(admin_id, "admin")
        user = db.session.get(User, target.id)
        assert user is not None
        account_admin.set_active(db.session, by_admin, user, False, utcnow())
        account_admin.set_active(db.session, by_admin, user, True, utcnow())
        account_admin.end_sessions(db.session, by_admin, user, utcnow())
        lines = access_log.export(db.session, by_admin, access_log.LogFilter())  # logged before a line is read
        db.commit()
        assert next(lines).startswith("seq,event_id,")
    rows = _new_rows(app, before)
    assert [(r.event_code, r.action_code, r.actor_user_id, r.actor_role, r.object_id) for r in rows] == [
        ("user.disable", "U", admin_id, "admin", target.id),
        ("user.enable", "U", admin_id, "admin", target.id),
        ("user.sessions_end", "U", admin_id, "admin", target.id),
        ("access_log.export", "E", admin_id, "admin", None),
    ]
    assert {r.authorization_basis for r in rows} == {"admin-role v1"}
    assert open_sessions(app, target.id) == []


def test_an_administrator_cannot_disable_her_own_account_and_nothing_is_logged(app: Flask) -> None:
    admin_id = admin(app).id
    before = len(access_rows(app))
    with app.app_context(), db.writing():
        user = db.session.get(User, admin_id)
        assert user is not None
        with pytest.raises(account_admin.OwnAccount):
            account_admin.set_active(db.session, access_log.Actor(admin_id, "admin"), user, False, utcnow())
        db.commit()
    assert _new_rows(app, before) == []
    with app.app_context():
        refreshed = db.session.get(User, admin_id)
        assert refreshed is not None and refreshed.is_active


# --- no page writes the log itself -------------------------------------------------------------------


def _modules(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _log_writes(tree: ast.Module) -> list[int]:
    """Lines that write the access log: access_log.record(…) / record_event(…), or importing those functions."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITERS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "access_log":
                found.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("access_log"):
            if any(alias.name in WRITERS for alias in node.names):
                found.append(node.lineno)
    return found


def test_only_services_write_the_access_log() -> None:
    outside = [
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in _modules(PACKAGE)
        if not path.is_relative_to(SERVICES)
        for line in _log_writes(tree)
    ]
    assert not outside, "the access log is written by services, never by a page or command:\n" + "\n".join(outside)
    # The scan finds what it looks for: the inbox service writes rows.
    assert _log_writes(ast.parse((SERVICES / "registrations" / "inbox.py").read_text(encoding="utf-8")))


def test_the_services_that_write_the_access_log_import_nothing_of_flask() -> None:
    problems = []
    for path, tree in _modules(SERVICES):
        if not _log_writes(tree):
            continue
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            problems += [
                f"{path.relative_to(ROOT)}: {name}" for name in names if name.split(".")[0].startswith("flask")
            ]
    assert not problems, "a service that logs must work without a request:\n" + "\n".join(problems)


# --- one table of event codes ------------------------------------------------------------------------


def test_no_event_code_is_written_as_a_string_outside_the_table() -> None:
    """Codes come from balie.domain.audit_events (record refuses others); no page or service spells one."""
    spelled = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path, tree in _modules(PACKAGE)
        if path != TABLE
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_LIKE.fullmatch(node.value)
    ]
    assert not spelled, "use the events of balie.domain.audit_events:\n" + "\n".join(spelled)


def test_every_event_the_code_names_is_in_the_table() -> None:
    """What the services write: every audit_events.<EVENT> named anywhere is an event of the table."""
    named = {
        (path, node.attr)
        for path, tree in _modules(PACKAGE)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "audit_events"
    }
    assert len(named) > 10, "the scan found too little to mean anything"
    not_events = {"EVENTS", "LEGACY_CODES", "AuditEvent", "event_of", "codes_of"}
    events = set(audit_events.EVENTS.values())
    missing = [
        f"{path.relative_to(ROOT)}: audit_events.{name}"
        for path, name in sorted(named)
        if name not in not_events and getattr(audit_events, name, None) not in events
    ]
    assert not missing, "events used but not in the table:" + "".join(f"\n{line}" for line in missing)


def test_the_codes_are_fixed_english_and_each_has_one_action() -> None:
    for code, event in audit_events.EVENTS.items():
        assert code == event.code
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", code), f"{code}: lower-case words and underscores only"
        assert event.action in "CRUDE" and len(event.action) == 1, code
    for old, meant in audit_events.LEGACY_CODES.items():
        assert old not in audit_events.EVENTS and meant in audit_events.EVENTS.values(), old


def test_a_code_outside_the_table_is_refused_and_nothing_is_written(command: Any) -> None:
    count = select(func.count()).select_from(AccessLogEntry)
    before = command.scalar(count)
    for code in ("user.uitschakelen", "registration.peek"):
        with pytest.raises(access_log.UnknownAuditEvent):
            access_log.record(command, access_log.SYSTEM, code, "U", "user", "x")
    assert command.scalar(count) == before


def test_rows_with_an_old_code_are_found_and_named_as_their_event(
    command: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows written before the codes were fixed keep their code (the log is append-only and chained)."""
    by_admin = access_log.Actor("an-admin", "admin")
    target = secrets.token_hex(16)
    with monkeypatch.context() as before_the_table:  # as the desk wrote them then
        before_the_table.setattr(audit_events, "EVENTS", {**audit_events.EVENTS, "user.uitschakelen": None})
        access_log.record(command, by_admin, "user.uitschakelen", "U", "user", target)
    access_log.record_event(command, by_admin, audit_events.USER_DISABLE, "user", target)
    command.commit()
    for wanted in ("user.disable", "user.uitschakelen"):
        rows, total = access_log.page(command, access_log.LogFilter(object_id=target, event_code=wanted), 1, 50)
        assert total == 2 and {r.event_code for r in rows} == {"user.uitschakelen", "user.disable"}
    assert audit_events.event_of("user.uitschakelen") is audit_events.USER_DISABLE
    assert audit_events.event_of("user.sessies-beeindigen") is audit_events.USER_SESSIONS_END


def test_every_label_of_the_table_has_its_dutch_translation() -> None:
    with (ROOT / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file, locale="nl")
    labels = {
        label
        for event in audit_events.EVENTS.values()
        for label in (event.label, *event.detail_labels.values())
        if label is not None
    }
    assert len(labels) > 10
    untranslated = sorted(label for label in labels if not ((found := catalogue.get(label)) and found.string))
    assert not untranslated, "shown in English on a Dutch page:\n" + "\n".join(untranslated)


# --- names on the access log page: one query per page, not one per row ------------------------------


def test_the_access_log_page_looks_names_up_once_not_per_row(app: Flask) -> None:
    """The 'who' column once came from a template filter that queried the database for every row."""
    boss = admin(app)
    client = app.test_client()
    assert login(client, boss).status_code == 303
    user_queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM user_account" in statement:
            user_queries.append(statement)

    def looked_up(extra_actors: int) -> tuple[int, str]:
        with app.app_context(), db.writing():
            for n in range(extra_actors):
                colleague = User(email=f"collega{n}-{secrets.token_hex(4)}@delfland.example", name=f"Collega {n}")
                db.session.add(colleague)
                db.session.flush()
                actor = access_log.Actor(colleague.id, "jgz_staff", DELFLAND)
                access_log.record_event(db.session, actor, audit_events.REGISTRATION_LIST, "registration", None)
            db.commit()
            sql_event.listen(db.engine, "before_cursor_execute", count)
        user_queries.clear()
        try:
            html = client.get("/beheer/toegangslog").get_data(as_text=True)
        finally:
            with app.app_context():
                sql_event.remove(db.engine, "before_cursor_execute", count)
        return len(user_queries), html

    few, _ = looked_up(1)
    many, html = looked_up(6)
    assert all(f"Collega {n}" in html for n in range(6)), "the names are shown"
    assert many == few, f"{many} queries on user_account for 7 actors, {few} for 1: a query per row"
    assert {"user_name", "municipality"}.isdisjoint(app.jinja_env.filters)
