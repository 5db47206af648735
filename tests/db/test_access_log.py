"""The access log is append-only and tamper-evident, on SQLite and on PostgreSQL (T-46, T-47).

The database itself refuses UPDATE and DELETE; a change made around that (a dropped
trigger, a superuser) breaks the keyed hash chain, and `flask audit verify` names the row.
A cut tail, or a chain rehashed without the key, is caught by the head exported after commits.
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from balie import audit_head
from balie.crypto import KeyRing
from balie.database import DatabaseUnavailable
from balie.extensions import db
from balie.models import AccessLogEntry
from balie.models.base import utcnow
from balie.services.audit import access_log
from balie.services.audit.access_log import Actor, Head
from tests.conftest import make_app
from tests.support.accounts import admin, login

NURSE = Actor("5f0c6a2e-0000-4000-8000-000000000001", "jgz_staff", "940392da-91c8-431a-978d-b8fcb4a95e8d", "ap")


def append(app: Flask, count: int, actor: Actor = NURSE, event: str = "registration.read") -> None:
    with app.app_context():
        for n in range(count):
            with db.writing():
                access_log.record(db.session, actor, event, "R", "registration", f"{n:032x}", detail="full")
                db.commit()


def rows(app: Flask) -> list[tuple[Any, ...]]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(select(AccessLogEntry.__table__).order_by(AccessLogEntry.seq))]


def seqs(app: Flask) -> list[int]:
    return [row[0] for row in rows(app)]


def verify(app: Flask) -> Any:
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def raw(app: Flask, statement: str) -> None:
    with app.app_context(), db.writing(), db.engine.begin() as connection:
        connection.execute(text(statement))


def allow_changes(app: Flask) -> None:
    """What an attacker with database access would do first: get the trigger out of the way."""
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "sqlite":
        raw(app, "DROP TRIGGER access_log_no_update")
        raw(app, "DROP TRIGGER access_log_no_delete")
    else:
        raw(app, "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change")


def test_the_hash_chain_verifies(any_db_app: Flask) -> None:
    before = len(rows(any_db_app))
    append(any_db_app, 12)
    append(any_db_app, 3, access_log.SYSTEM, "registration.purge")
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output
    assert f"access log intact: {before + 15} rows" in result.output

    chain = rows(any_db_app)
    columns = [c.name for c in AccessLogEntry.__table__.columns]
    prev, row_hash = columns.index("prev_hash"), columns.index("row_hash")
    assert chain[0][prev] == access_log.GENESIS
    assert all(chain[n][prev] == chain[n - 1][row_hash] for n in range(1, len(chain)))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET outcome = 'success' WHERE outcome = 'success'",
        "UPDATE access_log SET actor_user_id = 'someone-else'",
        "DELETE FROM access_log",
        "DELETE FROM access_log WHERE seq = (SELECT MAX(seq) FROM access_log)",
    ],
)
def test_the_database_refuses_changes_to_the_log(any_db_app: Flask, statement: str) -> None:
    append(any_db_app, 3)
    before = rows(any_db_app)
    with pytest.raises(DBAPIError) as refused:
        raw(any_db_app, statement)
    assert "append-only" in str(refused.value.orig)
    assert rows(any_db_app) == before
    assert verify(any_db_app).exit_code == 0


def test_truncate_is_refused_on_postgresql(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
    append(any_db_app, 2)
    with pytest.raises(DBAPIError):
        raw(any_db_app, "TRUNCATE access_log")
    assert len(rows(any_db_app)) >= 2


@pytest.mark.parametrize(
    "column, value", [("object_id", "'ffffffffffffffffffffffffffffffff'"), ("outcome", "'denied'")]
)
def test_an_edited_row_is_named_by_audit_verify(any_db_app: Flask, column: str, value: str) -> None:
    append(any_db_app, 10)
    target = seqs(any_db_app)[-6]
    allow_changes(any_db_app)
    raw(any_db_app, f"UPDATE access_log SET {column} = {value} WHERE seq = {target}")

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert f"access log BROKEN at rows (seq): {target}\n" in result.output
    with any_db_app.app_context():
        keys = any_db_app.extensions[audit_head.EXPORTER_KEY].keys
        assert access_log.verify(db.session, keys).broken == (target,)


def test_a_deleted_row_is_found_at_the_row_after_it(any_db_app: Flask) -> None:
    append(any_db_app, 8)
    numbers = seqs(any_db_app)
    allow_changes(any_db_app)
    raw(any_db_app, f"DELETE FROM access_log WHERE seq = {numbers[-4]}")
    result = verify(any_db_app)
    assert result.exit_code == 1
    assert f"access log BROKEN at rows (seq): {numbers[-3]}\n" in result.output


def test_appends_from_two_threads_never_fork_the_chain(any_db_app: Flask) -> None:
    with any_db_app.app_context():
        start = db.session.scalar(select(func.count()).select_from(AccessLogEntry)) or 0
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait(timeout=120)
            append(any_db_app, 30, Actor(f"thread-{number}", "jgz_staff", None, None))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures

    chain = rows(any_db_app)
    assert len(chain) == start + 60
    columns = [c.name for c in AccessLogEntry.__table__.columns]
    prev, actor = columns.index("prev_hash"), columns.index("actor_user_id")
    assert len({row[prev] for row in chain}) == len(chain), "two rows claim the same predecessor: a fork"
    written = [row[actor] for row in chain[start:]]
    assert written.count("thread-1") == written.count("thread-2") == 30
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output


# --- the keyed chain and its exported head ---------------------------------------------------
#
# The attacker below can do anything to the database (drop the triggers, edit, rehash, delete)
# but holds no audit key and cannot reach the head file the app exports after every commit.

WRONG_KEY = KeyRing.parse("dev:" + base64.b64encode(b"w" * 32).decode())  # the real key's id, not its bytes


def head_file(app: Flask) -> Path:
    return Path(app.config["AUDIT_HEAD_FILE"])


def exported(app: Flask) -> Head:
    found = audit_head.read_head(head_file(app))
    assert found is not None, "no head was exported"
    return found


def audit_keys(app: Flask) -> KeyRing:
    return app.extensions[audit_head.EXPORTER_KEY].keys


def rehash(app: Flask, start: int, keys: KeyRing | None, edit: int | None = None) -> None:
    """Edit row `edit` (if given) and recompute every hash from row `start` on: with `keys`
    (a key the attacker guessed) or, without, as plain SHA-256 rows from before the keys."""
    with app.app_context(), db.writing():
        previous = access_log.GENESIS
        for entry in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.seq)).all():
            if entry.seq == edit:
                entry.object_id = "f" * 32
            if entry.seq >= start:
                entry.key_id = None if keys is None else keys.primary_id
                entry.prev_hash = previous
                entry.row_hash = access_log.row_hash(entry, previous, keys) or ""
            previous = entry.row_hash
        db.commit()


def cut_after(app: Flask, seq: int) -> None:
    raw(app, f"DELETE FROM access_log WHERE seq > {seq}")


def test_rows_are_signed_with_the_audit_key_and_the_head_is_exported(any_db_app: Flask) -> None:
    append(any_db_app, 4)
    chain = rows(any_db_app)
    columns = [c.name for c in AccessLogEntry.__table__.columns]
    key_id, row_hash = columns.index("key_id"), columns.index("row_hash")
    assert {row[key_id] for row in chain} == {"dev"}

    head = exported(any_db_app)
    assert (head.seq, head.row_hash) == (chain[-1][0], chain[-1][row_hash])
    assert head.key_id == "dev" and head.signature_valid(audit_keys(any_db_app))
    assert not head.signature_valid(WRONG_KEY)
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output
    assert f"access log intact: {len(chain)} rows; it holds the exported head (seq {head.seq})" in result.output


@pytest.mark.parametrize("keys", [None, WRONG_KEY], ids=["plain-sha256", "wrong-key"])
def test_an_edited_and_rehashed_row_is_named(any_db_app: Flask, keys: KeyRing | None) -> None:
    append(any_db_app, 10)
    numbers = seqs(any_db_app)
    target = numbers[-6]
    allow_changes(any_db_app)
    rehash(any_db_app, target, keys, edit=target)

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert f"access log BROKEN at rows (seq): {target}-{numbers[-1]}\n" in result.output
    assert f"access log REWRITTEN: the exported head is seq {numbers[-1]} " in result.output
    with any_db_app.app_context():
        checked = access_log.verify(db.session, audit_keys(any_db_app), exported(any_db_app))
    assert checked.broken[0] == target and not checked.ok


def test_a_log_rehashed_from_its_first_row_is_caught_by_the_head(any_db_app: Flask) -> None:
    """Plain SHA-256 from the first row on is a valid chain of rows from before the keys:
    only the exported head tells that it is not the log that was written."""
    append(any_db_app, 6)
    numbers = seqs(any_db_app)
    head = exported(any_db_app)
    allow_changes(any_db_app)
    rehash(any_db_app, numbers[0], None, edit=numbers[2])

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert "BROKEN" not in result.output
    assert (
        f"access log REWRITTEN: the exported head is seq {head.seq} (exported at {head.exported_at}) "
        f"but row {head.seq} has another hash\n"
    ) in result.output


@pytest.mark.parametrize("from_first_row", [False, True], ids=["rehash-from-edit", "rehash-all"])
def test_edit_rehash_and_a_cut_tail_are_detected(any_db_app: Flask, from_first_row: bool) -> None:
    append(any_db_app, 10)
    numbers = seqs(any_db_app)
    target = numbers[-6]
    head = exported(any_db_app)
    allow_changes(any_db_app)
    rehash(any_db_app, numbers[0] if from_first_row else target, None, edit=target)
    cut_after(any_db_app, target + 1)

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert (
        f"access log CUT or REWRITTEN: the exported head is seq {head.seq} (exported at {head.exported_at}) "
        f"but the log ends at seq {target + 1}\n"
    ) in result.output


@pytest.mark.parametrize("keep", [7, 0], ids=["tail", "everything"])
def test_a_cut_tail_alone_is_detected(any_db_app: Flask, keep: int) -> None:
    append(any_db_app, 10)
    numbers = seqs(any_db_app)
    allow_changes(any_db_app)
    cut_after(any_db_app, numbers[keep - 1] if keep else 0)

    result = verify(any_db_app)
    assert result.exit_code == 1
    assert "BROKEN" not in result.output  # what is left is a perfect chain
    end = f"the log ends at seq {numbers[keep - 1]}" if keep else "the log is empty"
    assert f"access log CUT or REWRITTEN: the exported head is seq {numbers[-1]} " in result.output
    assert f"but {end}\n" in result.output


def test_rows_after_the_head_are_fine_but_a_gone_head_row_is_named(any_db_app: Flask, tmp_path: Path) -> None:
    """Another node (or a later write) goes on after the head this node exported."""
    append(any_db_app, 4)
    earlier = tmp_path / "earlier-head.json"
    earlier.write_text(head_file(any_db_app).read_text())
    append(any_db_app, 3)
    runner = any_db_app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify", "--head", str(earlier)])
    assert ok.exit_code == 0, ok.output
    assert f"it holds the exported head (seq {exported(any_db_app).seq - 3})" in ok.output

    old_seq = audit_head.read_head(earlier).seq  # type: ignore[union-attr]
    allow_changes(any_db_app)
    raw(any_db_app, f"DELETE FROM access_log WHERE seq = {old_seq}")
    gone = runner.invoke(args=["audit", "verify", "--head", str(earlier)])
    assert gone.exit_code == 1
    assert f"access log BROKEN at rows (seq): {old_seq + 1}\n" in gone.output
    assert f"but row {old_seq} is gone\n" in gone.output


def test_a_forged_missing_or_unreadable_head_fails_the_check(any_db_app: Flask) -> None:
    append(any_db_app, 3)
    path = head_file(any_db_app)
    head = exported(any_db_app)

    path.write_text(replace(head, seq=head.seq + 5).to_json())  # moved on, not re-signed
    assert "access log head INVALID" in verify(any_db_app).output
    path.write_text(Head.signed(WRONG_KEY, head.seq, head.row_hash, utcnow()).to_json())
    assert "access log head INVALID" in verify(any_db_app).output
    path.write_text("{not json")
    assert "access log head UNREADABLE" in verify(any_db_app).output
    path.unlink()
    missing = verify(any_db_app)
    assert missing.exit_code == 1
    assert f"access log head MISSING: no head in {path}" in missing.output


def test_the_head_follows_every_commit_and_never_a_rolled_back_write(any_db_app: Flask) -> None:
    for _ in range(3):
        append(any_db_app, 1)
        head, last = exported(any_db_app), rows(any_db_app)[-1]
        assert (head.seq, head.row_hash) == (last[0], last[-2])

    with any_db_app.app_context(), db.writing():
        written = access_log.record(db.session, NURSE, "registration.read", "R", "registration", "a" * 32)
        assert written.seq > head.seq
        assert exported(any_db_app) == head, "exported before the commit"
        db.session.rollback()
        db.session.commit()  # a later empty commit in the same session exports nothing either
    assert exported(any_db_app) == head

    def commit_fails(_connection: Any) -> None:
        raise DBAPIError("COMMIT", None, OSError("disk gone"))

    with any_db_app.app_context(), db.writing():
        access_log.record(db.session, NURSE, "registration.read", "R", "registration", "b" * 32)
        event.listen(db.engine, "commit", commit_fails)
        try:
            with pytest.raises(DatabaseUnavailable):
                db.commit()
        finally:
            event.remove(db.engine, "commit", commit_fails)
    assert exported(any_db_app) == head
    assert rows(any_db_app)[-1][0] == head.seq
    assert verify(any_db_app).exit_code == 0


def test_a_failed_export_never_fails_the_write_and_verify_uses_the_last_good_head(
    any_db_app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    append(any_db_app, 2)
    good = exported(any_db_app)

    def disk_full(*_args: Any) -> None:
        raise OSError(28, "No space left on device: /secret/path")

    monkeypatch.setattr(audit_head.os, "replace", disk_full)
    append(any_db_app, 2)  # the writes commit
    monkeypatch.undo()
    assert len(rows(any_db_app)) >= 4 and rows(any_db_app)[-1][0] == good.seq + 2
    assert exported(any_db_app) == good
    assert "access log head not written: OSError" in caplog.text
    assert "/secret/path" not in caplog.text
    assert not [p for p in head_file(any_db_app).parent.iterdir() if p.name.endswith(".tmp")]
    result = verify(any_db_app)
    assert result.exit_code == 0, result.output
    assert f"it holds the exported head (seq {good.seq})" in result.output


def test_concurrent_appends_never_move_the_head_backwards(any_db_app: Flask) -> None:
    path = head_file(any_db_app)
    barrier = threading.Barrier(3)
    done = threading.Event()
    seen: list[int] = []
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait(timeout=120)
            append(any_db_app, 25, Actor(f"thread-{number}", "jgz_staff", None, None))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    def watcher() -> None:
        barrier.wait(timeout=120)
        while not done.is_set():
            head = audit_head.read_head(path)
            if head is not None:
                seen.append(head.seq)
            time.sleep(0.002)

    writers = [threading.Thread(target=writer, args=(n,)) for n in (1, 2)]
    watching = threading.Thread(target=watcher)
    for thread in [*writers, watching]:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    done.set()
    watching.join(timeout=120)
    assert not failures, failures

    assert seen == sorted(seen), "the head moved backwards"
    last = rows(any_db_app)[-1]
    assert (exported(any_db_app).seq, exported(any_db_app).row_hash) == (last[0], last[-2])
    assert verify(any_db_app).exit_code == 0


def test_the_head_is_also_sent_to_syslog(any_db_app: Flask, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(120)
        port = receiver.getsockname()[1]
        node = make_app(any_db_app.config["DATABASE_URL"], tmp_path / "node", AUDIT_HEAD_SYSLOG=f"udp:127.0.0.1:{port}")
        try:
            append(node, 1)
            line = receiver.recv(4096).decode("utf-8")
        finally:
            with node.app_context():
                db.session.remove()
                db.engine.dispose()
    assert line.startswith("<")  # syslog priority: authpriv.info
    assert audit_head.SYSLOG_TAG in line
    sent = Head.from_json(line.split(audit_head.SYSLOG_TAG, 1)[1].rstrip("\x00"))
    assert sent == exported(node)
    assert sent.signature_valid(audit_keys(node))


def test_old_unkeyed_rows_stay_valid_as_the_start_and_keys_rotate(any_db_app: Flask, tmp_path: Path) -> None:
    append(any_db_app, 3)
    allow_changes(any_db_app)
    rehash(any_db_app, seqs(any_db_app)[0], None)  # as written before this version: plain SHA-256
    head_file(any_db_app).unlink()  # ... and no head yet
    append(any_db_app, 2)
    assert verify(any_db_app).exit_code == 0

    old = any_db_app.config["AUDIT_KEYS"]
    new = "k2:" + base64.b64encode(b"n" * 32).decode()
    rotated = make_app(any_db_app.config["DATABASE_URL"], tmp_path, AUDIT_KEYS=f"{new},{old}")
    append(rotated, 2)
    assert exported(rotated).key_id == "k2"
    result = rotated.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output

    retired = make_app(any_db_app.config["DATABASE_URL"], tmp_path, AUDIT_KEYS=new)
    dropped = retired.test_cli_runner().invoke(args=["audit", "verify"])
    assert dropped.exit_code == 1  # rows signed with the removed key no longer verify
    assert "access log BROKEN at rows (seq): " in dropped.output
    for app in (rotated, retired):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_administrators_check_page_names_a_cut_tail(any_db_app: Flask) -> None:
    client = any_db_app.test_client()
    login(client, admin(any_db_app))
    append(any_db_app, 5)
    numbers = seqs(any_db_app)
    intact = client.get("/beheer/toegangslog/controle").get_data(as_text=True)
    assert "De keten is intact" in intact
    assert f"Het bevat de kop die buiten de database is vastgelegd (regel {numbers[-1]}," in intact

    allow_changes(any_db_app)
    cut_after(any_db_app, numbers[-3])
    page = client.get("/beheer/toegangslog/controle").get_data(as_text=True)
    assert "Het toegangslog is gewijzigd" in page
    assert f"de vastgelegde kop is regel {numbers[-1]}" in page
    assert f"maar het log eindigt bij regel {numbers[-3]}" in page
