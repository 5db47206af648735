"""Row counts and keyed checksums per table: do two databases hold the same rows?

A table's checksum is the sum (mod 2**256) of an HMAC per row, so it does not depend on the
order rows come back in (collations may differ between servers), and a row that appears twice
counts twice. Keyed with a random key that lives only as long as the comparison, a checksum
says nothing about the data it covers, even when it is printed or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect

_MODULUS = 1 << 256


@dataclass(frozen=True)
class TableFigure:
    rows: int
    checksum: str | None = None  # None when only counted


def _encode(value: Any) -> bytes:
    """One value as tagged bytes: equal values give equal bytes, different types never collide."""
    if value is None:
        return b"N"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"B" + bytes(value)
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"I" + str(value).encode()
    if isinstance(value, float):
        return b"R" + repr(value).encode()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return b"D" + value.astimezone(UTC).isoformat().encode()
    if isinstance(value, str):
        return b"S" + value.encode("utf-8")
    return b"O" + type(value).__name__.encode() + b":" + repr(value).encode("utf-8")


def _row_digest(key: bytes, row: tuple[Any, ...]) -> int:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for value in row:
        encoded = _encode(value)
        mac.update(struct.pack(">Q", len(encoded)))
        mac.update(encoded)
    return int.from_bytes(mac.digest(), "big")


def table_figures(connection: Connection, key: bytes | None = None, batch: int = 2000) -> dict[str, TableFigure]:
    """Every table's row count, and with a `key` its keyed checksum, as this connection sees them."""
    inspector = inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    figures: dict[str, TableFigure] = {}
    for table in sorted(inspector.get_table_names()):
        if key is None:
            # Table names come from the database's own catalogue, quoted.
            count = connection.exec_driver_sql(f"SELECT COUNT(*) FROM {quote(table)}").scalar_one()  # noqa: S608
            figures[table] = TableFigure(int(count))
            continue
        columns = ", ".join(sorted(quote(column["name"]) for column in inspector.get_columns(table)))
        result = connection.execution_options(stream_results=True, max_row_buffer=batch).exec_driver_sql(
            f"SELECT {columns} FROM {quote(table)}"  # noqa: S608 - names from the metadata, quoted
        )
        rows, total = 0, 0
        for partition in result.partitions(batch):
            for row in partition:
                total = (total + _row_digest(key, tuple(row))) % _MODULUS
                rows += 1
        figures[table] = TableFigure(rows, f"{total:064x}")
    return figures


def differences(source: dict[str, TableFigure], copy: dict[str, TableFigure]) -> list[str]:
    """Names of the tables whose rows differ (missing, extra, other count or checksum)."""
    return sorted(name for name in source.keys() | copy.keys() if source.get(name) != copy.get(name))
