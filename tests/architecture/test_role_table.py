"""Issue 11, seam 4: one role table (balie/domain/roles.py) that the rest of the desk reads.

- every role in the table has a label in Dutch and English, a landing page that is a page of the
  app, and a scope kind the administrator's grant form and the accounts service both handle;
- every role lands on its own working page and sees the staff menu it saw before the table;
- a role the table gives no permission (a new row, as the monitor of a later issue will be) is
  refused the vraagbaak, the inbox, the sociale-kaart editing and administration, and sees none of
  their menu entries; given one permission in the table, it gets exactly that page;
- no module outside roles.py and labels.py decides by role: no role code as a literal, a role
  constant only where a role is given (a grant) or named as the one who acted (the access log),
  and no role code in a template.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask, url_for
from flask_babel import force_locale

from balie.domain import roles
from balie.domain.roles import Permission, Role, Scope
from balie.manage.forms import SCOPE_FIELDS, GrantForm
from balie.models import RoleGrant, User
from balie.services.accounts import lifecycle as accounts
from balie.services.accounts.lifecycle import AccountError, Grant
from balie.web.labels import ROLE_LABELS
from balie.web.security import Principal, requires
from tests.support.accounts import DELFLAND, HOFSTAD, admin, login, make_user
from tests.support.pages import Page
from tests.support.staff import location_path

ROOT = Path(__file__).resolve().parents[2]
REAL_CODES = frozenset(roles.codes())

# The staff menu of each role as it was before the table (base.html asked for role codes then):
# the table must keep it. Endpoints, in the menu's order.
MENU_BEFORE = {
    roles.ADMIN: ["directory.search", "directory_manage.index", "qa.index", "manage.users", "account.overview"],
    roles.JGZ_STAFF: ["inbox.index", "directory.search", "qa.index", "account.overview"],
    roles.GEMEENTE_EDITOR: ["directory.search", "directory_manage.index", "qa.index", "account.overview"],
    roles.PROFESSIONAL: ["advice.overview", "directory.search", "qa.index", "account.overview"],
    roles.MODERATOR: ["directory.search", "qa.index", "account.overview"],
    # The monitor's roles (issue 13): the monitor, and the public sociale kaart.
    roles.GEMEENTE_MONITOR: ["directory.search", "monitor.index", "account.overview"],
    roles.REGION_MONITOR: ["directory.search", "monitor.index", "account.overview"],
    roles.JGZ_MONITOR: ["directory.search", "monitor.index", "account.overview"],
}
GRANTS = {
    roles.ADMIN: Grant(roles.ADMIN),
    roles.JGZ_STAFF: Grant(roles.JGZ_STAFF, organisation_id=DELFLAND),
    roles.GEMEENTE_EDITOR: Grant(roles.GEMEENTE_EDITOR, municipality_code="GM0503"),
    roles.PROFESSIONAL: Grant(roles.PROFESSIONAL, profession="midwife"),
    roles.MODERATOR: Grant(roles.MODERATOR),
    roles.GEMEENTE_MONITOR: Grant(roles.GEMEENTE_MONITOR, municipality_code="GM0503"),
    roles.REGION_MONITOR: Grant(roles.REGION_MONITOR),
    roles.JGZ_MONITOR: Grant(roles.JGZ_MONITOR, organisation_id=DELFLAND),
}
# Pages of each permission that a role without it must not get.
PAGES_OF = {
    Permission.QA_MEMBER: ["/vraagbaak", "/vraagbaak/vragen/nieuw"],
    Permission.INBOX: ["/inbox"],
    Permission.USERS_MANAGE: ["/beheer/gebruikers", "/beheer/uitnodigen", "/beheer/toegangslog"],
    Permission.DIRECTORY_EDIT: ["/sociale-kaart/beheer"],
    Permission.ADVICE: ["/advies"],
}


def menu_hrefs(html: str) -> list[str]:
    nav = re.search(r'<ul class="staff-nav__links">(.*?)</ul>', html, re.S)
    assert nav, "no staff menu on the page"
    return re.findall(r'<a href="([^"]+)"', nav.group(1))


def hrefs(app: Flask, endpoints: list[str]) -> list[str]:
    with app.test_request_context():
        return [url_for(endpoint) for endpoint in endpoints]


# --- the table is complete ---------------------------------------------------------------------------------


def test_the_table_holds_the_roles_of_the_desk() -> None:
    assert roles.codes() == (
        roles.ADMIN,
        roles.JGZ_STAFF,
        roles.GEMEENTE_EDITOR,
        roles.PROFESSIONAL,
        roles.MODERATOR,
        roles.GEMEENTE_MONITOR,
        roles.REGION_MONITOR,
        roles.JGZ_MONITOR,
    )
    assert all(code == row.code for code, row in roles.ROLE_TABLE.items())


def test_every_role_has_a_label_in_dutch_and_english(app: Flask) -> None:
    with (ROOT / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        dutch = read_po(handle)
    for code in roles.codes():
        assert code in ROLE_LABELS, f"role {code!r} has no label in balie/web/labels.py ROLE_LABELS"
        with app.test_request_context(), force_locale("en"):
            english = str(ROLE_LABELS[code])
        assert english and english != code, code
        message = dutch.get(english)
        assert message is not None and message.string, f"no Dutch translation of the label {english!r}"
        with app.test_request_context(), force_locale("nl"):
            assert str(ROLE_LABELS[code]) == message.string


def test_every_landing_page_and_menu_entry_is_a_page_of_the_app(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for row in roles.ROLE_TABLE.values():
        assert row.landing_page in endpoints, f"{row.code}: no endpoint {row.landing_page!r}"
    assert roles.HOME_WITHOUT_ROLE in endpoints
    for entry in roles.MENU:
        assert entry.endpoint in endpoints, entry


def test_every_scope_kind_is_handled_by_the_grant_form_and_the_accounts_service() -> None:
    for row in roles.ROLE_TABLE.values():
        if row.scope is Scope.NONE:
            accounts.validate_grant(Grant(row.code))  # nothing to name
            continue
        assert row.scope in SCOPE_FIELDS, f"{row.code}: the grant form has no field for {row.scope}"
        assert row.scope in accounts.SCOPE_NEEDS, f"{row.code}: accounts does not check {row.scope}"
        with pytest.raises(AccountError) as refused:
            accounts.validate_grant(Grant(row.code))  # the scope left out
        assert refused.value.code == accounts.SCOPE_NEEDS[row.scope].error
        accounts.validate_grant(GRANTS[row.code])


def test_the_grant_form_offers_every_role_and_the_fields_of_their_scope_kinds(app: Flask) -> None:
    account = admin(app)
    client = app.test_client()
    login(client, account)
    page = Page(client.get("/beheer/uitnodigen"))
    assert page.status == 200
    assert page.options("role") == ["", *roles.codes()]
    for kind in roles.scope_kinds():
        if kind is not Scope.NONE:
            assert f'name="{SCOPE_FIELDS[kind]}"' in page.html, kind
    with app.test_request_context():
        form = GrantForm(meta={"csrf": False})
        form.fill([], [])
        assert [field.name for field in form.scope_fields()] == ["organisation", "municipality", "profession"]


# --- every role as before ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(MENU_BEFORE))
def test_every_role_lands_on_its_working_page_and_sees_its_menu(app: Flask, code: str) -> None:
    row = roles.ROLE_TABLE[code]
    account = make_user(app, f"{code}@balie.example", [GRANTS[code]], totp=row.second_factor)
    client = app.test_client()
    landed = login(client, account)
    assert landed.status_code == 303
    assert location_path(landed) == hrefs(app, [row.landing_page])[0]
    assert menu_hrefs(client.get("/account").get_data(as_text=True)) == hrefs(app, MENU_BEFORE[code])


def test_with_several_roles_the_first_in_the_table_decides_the_landing_page(app: Flask) -> None:
    account = make_user(app, "beide@balie.example", [GRANTS[roles.MODERATOR], GRANTS[roles.PROFESSIONAL]], totp=False)
    client = app.test_client()
    assert location_path(login(client, account)) == "/advies"
    assert menu_hrefs(client.get("/account").get_data(as_text=True)) == hrefs(
        app, ["advice.overview", "directory.search", "qa.index", "account.overview"]
    )


# --- a new role gets only what the table gives it ----------------------------------------------------------

NEW_ROLE = "observer"


def _with_new_role(
    monkeypatch: pytest.MonkeyPatch, permissions: frozenset[Permission], scope: Scope = Scope.NONE
) -> None:
    row = Role(NEW_ROLE, permissions, scope, False, False, landing_page="account.overview")
    monkeypatch.setattr(roles, "ROLE_TABLE", {**roles.ROLE_TABLE, NEW_ROLE: row})


@pytest.fixture
def observer(app: Flask) -> Iterator[Any]:
    account = make_user(app, "waarnemer@balie.example", [Grant(NEW_ROLE)], totp=False)
    client = app.test_client()
    yield lambda: (client, login(client, account))


def test_a_new_role_without_permissions_gets_no_staff_page_and_no_menu_entry(
    app: Flask, observer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_new_role(monkeypatch, frozenset())
    accounts.validate_grant(Grant(NEW_ROLE))  # the table knows the role: it can be given
    client, landed = observer()
    assert location_path(landed) == "/account"
    for path in [path for pages in PAGES_OF.values() for path in pages]:
        assert client.get(path).status_code == 403, path
    # Only what every logged-in user has: the (public) sociale kaart and her own account.
    assert menu_hrefs(client.get("/account").get_data(as_text=True)) == hrefs(
        app, ["directory.search", "account.overview"]
    )


def test_a_new_role_gets_the_vraagbaak_only_when_the_table_says_so(
    app: Flask, observer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_new_role(monkeypatch, frozenset({Permission.QA_MEMBER}))
    client, _landed = observer()
    for path in PAGES_OF[Permission.QA_MEMBER]:
        assert client.get(path).status_code == 200, path
    for permission, paths in PAGES_OF.items():
        if permission is not Permission.QA_MEMBER:
            for path in paths:
                assert client.get(path).status_code == 403, path
    assert menu_hrefs(client.get("/vraagbaak").get_data(as_text=True)) == hrefs(
        app, ["directory.search", "qa.index", "account.overview"]
    )


def test_a_new_role_and_its_label_appear_in_the_administrators_grant_form(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_new_role(monkeypatch, frozenset())
    monkeypatch.setitem(ROLE_LABELS, NEW_ROLE, "Observer")
    client = app.test_client()
    login(client, admin(app))
    page = Page(client.get("/beheer/uitnodigen"))
    assert page.options("role") == ["", *roles.codes()] and NEW_ROLE in page.options("role")
    assert ">Observer</option>" in page.html


def test_a_grant_scopes_only_what_its_own_role_may_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """A nurse of Delfland who also holds a new organisation role for Hofstad sees Delfland's inbox only."""
    _with_new_role(monkeypatch, frozenset({Permission.QA_MEMBER}), Scope.ORGANISATION)
    user = User(email="beide@balie.example", name="Beide", password_hash="-")
    user.roles = [
        RoleGrant(role=roles.JGZ_STAFF, organisation_id=DELFLAND),
        RoleGrant(role=NEW_ROLE, organisation_id=HOFSTAD),
    ]
    principal = Principal(user, None)  # type: ignore[arg-type]
    assert principal.organisation_ids == {DELFLAND}
    assert principal.organisations(Permission.QA_MEMBER) == {DELFLAND, HOFSTAD}
    assert principal.can(Permission.INBOX) and not principal.can(Permission.USERS_MANAGE)


def test_an_unknown_permission_name_is_refused_where_it_is_used() -> None:
    with pytest.raises(ValueError):
        requires("inbox.everything")  # type: ignore[arg-type]


# --- nothing else decides by role --------------------------------------------------------------------------

# Modules that may name role codes: the table itself, and the labels (keyed by role code).
OWNERS = ("balie/domain/roles.py", "balie/web/labels.py")
# Other places allowed to hold a literal role code, with the reason.
EXCEPTIONS = {
    "balie/migrations/versions/": "a migration is history: it names the role codes as they were when it ran",
}
# A role constant (roles.ADMIN …) may be an argument of these calls: giving a role (a grant, an
# invitation, the first administrator, an approved account request, the vraagbaak seed) or naming
# the role that acted, in the access log.
GIVING_OR_NAMING = frozenset({"Grant", "RoleGrant", "Actor", "actor"})
ROLE_CONSTANTS = frozenset(
    name for name, value in vars(roles).items() if name.isupper() and isinstance(value, str) and value in REAL_CODES
)


def _aliases(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The names under which a module imported balie.domain.roles, and its role constants."""
    modules, constants = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "balie.domain":
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "roles"}
        elif isinstance(node, ast.ImportFrom) and node.module == "balie.domain.roles":
            constants |= {alias.asname or alias.name for alias in node.names if alias.name in ROLE_CONSTANTS}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname for alias in node.names if alias.name == "balie.domain.roles" and alias.asname}
    return modules, constants


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return ""


def role_decisions(source: str) -> list[tuple[int, str]]:
    """Lines of a module that use a role code other than to give a role or name who acted."""
    tree = ast.parse(source)
    modules, constants = _aliases(tree)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in REAL_CODES:
            found.append((node.lineno, f"the literal role code {node.value!r}"))
            continue
        is_constant = (isinstance(node, ast.Name) and node.id in constants) or (
            isinstance(node, ast.Attribute)
            and node.attr in ROLE_CONSTANTS
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        )
        if not is_constant:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.keyword):
            parent = parents.get(parent)
        if _call_name(parent) not in GIVING_OR_NAMING:
            found.append((node.lineno, f"the role constant {ast.unparse(node)} ({ast.unparse(parent or node)[:60]})"))
    return found


def _python_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / "balie").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name not in OWNERS and not any(name.startswith(prefix) for prefix in EXCEPTIONS):
            yield name, path


def test_the_scan_finds_a_decision_by_role() -> None:
    """The scan below can fail: these are the shapes the scattered role rules had."""
    assert role_decisions('if grant.role == "admin":\n    pass')
    assert role_decisions("from balie.domain import roles\nok = current_user.has_role(roles.ADMIN)")
    assert role_decisions("from balie.domain import roles as r\nMEMBERS = (r.ADMIN, r.MODERATOR)")
    assert role_decisions("from balie.domain.roles import JGZ_STAFF\nx = JGZ_STAFF in held")
    assert role_decisions("q = select(RoleGrant).where(RoleGrant.role.in_(('admin', 'moderator')))")
    assert not role_decisions("from balie.domain import roles\ngrant = Grant(roles.ADMIN)")
    assert not role_decisions("from balie.domain import roles\nwho = actor(roles.JGZ_STAFF, organisation_id)")
    assert not role_decisions("from balie.domain import roles\nRoleGrant(role=roles.MODERATOR)")


def test_no_module_outside_the_role_table_decides_by_role() -> None:
    problems = [
        f"{name}:{line}: {what}"
        for name, path in _python_modules()
        for line, what in role_decisions(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "ask for a permission (roles.Permission) instead:\n" + "\n".join(problems)


def test_no_template_names_a_role() -> None:
    literal = re.compile("(['\"])(" + "|".join(map(re.escape, sorted(REAL_CODES))) + r")\1")
    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), start=1):
                if literal.search(line) or "has_role" in line:
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not problems, "show by permission (current_user.can, staff_menu()) instead:\n" + "\n".join(problems)
