"""Who owns a field of the sociale kaart: the rules an import follows, on plain values.

The file's value, the database's value and the files' previous value (the base) decide; the
base of a service loaded before bases were stored is read from its change history.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from balie.models import ServiceChange
from balie.services.directory.ownership import Outcome, base_from_history, decide

OLD, NEW_IN_FILE, NEW_ON_SITE = "088 000 00 11", "088 000 00 22", "088 000 00 99"


@pytest.mark.parametrize(
    ("file_value", "database_value", "base", "outcome"),
    [
        (OLD, OLD, OLD, Outcome.SAME),  # nothing changed anywhere
        (NEW_IN_FILE, OLD, OLD, Outcome.FROM_FILE),  # the file changed a field nobody touched on the site
        (OLD, NEW_ON_SITE, OLD, Outcome.KEPT),  # an editor changed it, the file did not
        (NEW_IN_FILE, NEW_ON_SITE, OLD, Outcome.CONFLICT),  # both changed it
        (NEW_ON_SITE, NEW_ON_SITE, OLD, Outcome.SAME),  # her change was written into the file
        (NEW_IN_FILE, NEW_ON_SITE, None, Outcome.CONFLICT),  # not known which is newer: never overwrite
        (OLD, OLD, None, Outcome.SAME),
        ("", NEW_ON_SITE, "", Outcome.KEPT),  # she filled an empty field
        (NEW_IN_FILE, "", "", Outcome.FROM_FILE),  # the file filled an empty field
        ("", "", NEW_ON_SITE, Outcome.SAME),
    ],
)
def test_what_an_import_does_with_a_field(
    file_value: str, database_value: str, base: str | None, outcome: Outcome
) -> None:
    assert decide(file_value, database_value, base) is outcome


def change(action: str, by: str, previous: str, replacement: str) -> ServiceChange:
    return ServiceChange(
        service_id="s",
        changed_at=datetime(2026, 11, 1, tzinfo=UTC),
        action=action,
        field_name="phones",
        previous_value=previous,
        replacement_value=replacement,
        changed_by=by,
    )


ELS = "Els Editor (1a2b3c4d)"


@pytest.mark.parametrize(
    ("changes", "base"),
    [
        ([], NEW_ON_SITE),  # never changed since it was loaded: the current value is the files'
        ([change("create", "import", "", OLD)], OLD),
        ([change("create", "import", "", OLD), change("update", ELS, OLD, NEW_ON_SITE)], OLD),
        (  # a second edit does not move the base
            [
                change("create", "import", "", OLD),
                change("update", ELS, OLD, "x"),
                change("update", ELS, "x", NEW_ON_SITE),
            ],
            OLD,
        ),
        (  # the files changed it after her edit: that is the base now
            [
                change("create", "import", "", OLD),
                change("update", ELS, OLD, "x"),
                change("import", "import", "x", NEW_IN_FILE),
            ],
            NEW_IN_FILE,
        ),
        ([change("update", ELS, OLD, NEW_ON_SITE)], OLD),  # loaded before the history was kept
        ([change("verify", ELS, OLD, NEW_ON_SITE)], OLD),
        ([change("create", ELS, "", NEW_ON_SITE)], None),  # made on the site: the files never said anything
        ([change("create", "import-hsds", "", NEW_ON_SITE)], None),  # an HSDS list is not the files
        ([change("create", "import", "", OLD), change("retire", "import", "active", "defunct")], "defunct"),
    ],
)
def test_the_files_previous_value_is_read_from_the_history(changes: list[ServiceChange], base: str | None) -> None:
    assert base_from_history(changes, current=NEW_ON_SITE) == base
