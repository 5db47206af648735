"""Template filters and globals never ask the database: a page's names come from its view in one
query, not one query per rendered cell (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "balie" / "web"
TEMPLATING = [WEB / "templating.py", WEB / "staff_templating.py"]


def database_uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.value, ast.Name):
            found.append(f"line {node.lineno}: {node.value.id}.session")
        if isinstance(node, ast.ImportFrom) and node.module in {"balie.extensions", "balie.models"}:
            names = {alias.name for alias in node.names}
            if node.module == "balie.models" or "db" in names:
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(names))}")
    return found


def test_no_template_filter_queries_the_database() -> None:
    offenders = [f"{path.name} {use}" for path in TEMPLATING for use in database_uses(ast.parse(path.read_text()))]
    assert not offenders, "template helpers must get their data from the view:\n" + "\n".join(offenders)


def test_the_scan_sees_a_filter_that_queries() -> None:
    querying = """
def user_name(user_id):
    from balie.extensions import db
    from balie.models import User
    return db.session.get(User, user_id).name
"""
    assert len(database_uses(ast.parse(querying))) == 3
