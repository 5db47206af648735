"""The per-table checksums of the restore drill: equal rows give equal checksums in any order;
one changed value, a missing or a doubled row shows up, and the table is named."""

from __future__ import annotations

import secrets

from sqlalchemy import create_engine

from balie.services.operations.table_checksums import TableFigure, differences, table_figures

KEY = secrets.token_bytes(32)
ROWS = [(1, "a", b"\x00\x01", None), (2, "b", b"\x02", 3.5), (3, "c", None, 0.0)]


def figures(rows: list[tuple[object, ...]], key: bytes | None = KEY) -> dict[str, TableFigure]:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER, label TEXT, sealed BLOB, amount REAL)")
        connection.exec_driver_sql("CREATE TABLE other (id INTEGER PRIMARY KEY)")
        for row in rows:
            connection.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?, ?)", row)
        connection.exec_driver_sql("INSERT INTO other VALUES (1)")
        return table_figures(connection, key)


def test_the_same_rows_in_another_order_give_the_same_figures() -> None:
    assert differences(figures(ROWS), figures(list(reversed(ROWS)))) == []
    assert figures(ROWS)["t"].rows == 3


def test_a_changed_value_a_missing_row_and_a_doubled_row_are_named() -> None:
    source = figures(ROWS)
    changed = [ROWS[0], (2, "b", b"\x03", 3.5), ROWS[2]]
    assert differences(source, figures(changed)) == ["t"]
    assert differences(source, figures(ROWS[:2])) == ["t"]
    assert differences(figures(ROWS[:2]), figures([ROWS[0], ROWS[1], ROWS[1]])) == ["t"]
    assert differences(source, figures([(1, "a", "\x00\x01", None), *ROWS[1:]])) == ["t"], "text is not bytes"


def test_checksums_depend_on_the_key_and_counting_alone_has_none() -> None:
    assert figures(ROWS)["t"] != figures(ROWS, secrets.token_bytes(32))["t"]
    counted = figures(ROWS, None)["t"]
    assert counted.rows == 3 and counted.checksum is None
