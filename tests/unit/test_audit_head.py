"""The access log's exported head: signed, written atomically, never moved backwards.

The file is shared by the worker processes of one node; each export replaces it under a lock
unless it already holds a later head. (The chain itself is tested in tests/db/test_access_log.py.)
"""

from __future__ import annotations

import base64
import multiprocessing
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from balie.audit_head import HeadUnreadable, parse_syslog_target, read_head, write_head
from balie.crypto import KeyRing
from balie.models.base import utcnow
from balie.services.audit.access_log import Head

KEYS = KeyRing.parse("a1:" + base64.b64encode(b"a" * 32).decode())


def head(seq: int) -> Head:
    return Head.signed(KEYS, seq, f"{seq:064x}", utcnow())


def test_a_head_is_written_read_back_and_its_signature_checks(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "audit-head.json"
    assert read_head(path) is None
    assert write_head(path, head(5))
    found = read_head(path)
    assert found is not None and (found.seq, found.row_hash, found.key_id) == (5, f"{5:064x}", "a1")
    assert found.signature_valid(KEYS)
    for forged in (
        replace(found, seq=6),
        replace(found, row_hash="0" * 64),
        replace(found, exported_at="2000-01-01T00:00:00.000Z"),
    ):
        assert not forged.signature_valid(KEYS)
    assert not found.signature_valid(KeyRing.parse("a1:" + base64.b64encode(b"b" * 32).decode()))
    assert [p.name for p in path.parent.iterdir() if not p.name.endswith(".lock")] == ["audit-head.json"]


def test_the_head_never_moves_backwards(tmp_path: Path) -> None:
    path = tmp_path / "audit-head.json"
    assert write_head(path, head(10))
    assert not write_head(path, head(9))
    assert not write_head(path, head(10))
    assert read_head(path).seq == 10  # type: ignore[union-attr]
    assert write_head(path, head(11))
    assert read_head(path).seq == 11  # type: ignore[union-attr]


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"seq": "7"}', b"\xff\xfe", b"[1, 2]"])
def test_an_unreadable_head_is_reported_and_replaced_by_the_next_export(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "audit-head.json"
    path.write_bytes(content)
    with pytest.raises(HeadUnreadable):
        read_head(path)
    assert write_head(path, head(3))
    assert read_head(path).seq == 3  # type: ignore[union-attr]


def _export_every_other(path: str, first: int, count: int) -> None:
    for seq in range(first, first + 2 * count, 2):
        write_head(Path(path), head(seq))


def test_two_processes_exporting_at_once_never_move_the_head_backwards(tmp_path: Path) -> None:
    path = tmp_path / "audit-head.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_export_every_other, args=(str(path), first, 150)) for first in (1, 2)]
    for worker in workers:
        worker.start()
    seen: list[int] = []
    while any(worker.is_alive() for worker in workers):
        found = read_head(path)  # never a half-written file: replaced atomically
        if found is not None:
            seen.append(found.seq)
        time.sleep(0.001)
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert seen == sorted(seen), "the head moved backwards"
    assert read_head(path).seq == 300  # type: ignore[union-attr]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("udp:127.0.0.1:514", (("127.0.0.1", 514), socket.SOCK_DGRAM)),
        ("tcp:logs.example:6514", (("logs.example", 6514), socket.SOCK_STREAM)),
        ("udp:[::1]:514", (("::1", 514), socket.SOCK_DGRAM)),
        ("/dev/log", ("/dev/log", None)),
    ],
)
def test_syslog_targets(text: str, expected: object) -> None:
    assert parse_syslog_target(text) == expected


@pytest.mark.parametrize(
    "text", ["127.0.0.1:514", "udp:127.0.0.1", "http://x:1", "udp::514", "tcp:host:99999", "dev/log"]
)
def test_bad_syslog_targets_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_syslog_target(text)
