"""Roles on the desk, in one table: what each role may do, what it is scoped to, whether it needs a
second factor, where it lands after logging in. A user may hold several roles (one RoleGrant each).

Everything else reads this table: views ask for a permission (``security.requires``), the staff
menu shows the entries the user's permissions open, the administrator's grant form offers the
roles and the fields of their scope kinds, the accounts service checks a grant by its role's scope
kind, logging in asks for the second factor and the landing page. Adding a role is a row in
ROLE_TABLE, its label in ``balie.web.labels.ROLE_LABELS`` (keyed by role code) and its own views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

# The role codes, as stored in RoleGrant.role. Name one only to give a role (a grant, an
# invitation) or to say which role acted (the access log); what a role may do is asked by permission.
ADMIN = "admin"
JGZ_STAFF = "jgz_staff"  # of one JGZ organisation: sees its registrations
GEMEENTE_EDITOR = "gemeente_editor"  # of one gemeente (a user can hold several)
PROFESSIONAL = "professional"  # advisor: midwife, gynaecologist, maternity care, GP, social team …
MODERATOR = "moderator"  # appointed expert in the vraagbaak
GEMEENTE_MONITOR = "gemeente_monitor"  # beleidsmedewerker of one gemeente (a user can hold several)
REGION_MONITOR = "region_monitor"  # the figures of every gemeente of the desk's region
JGZ_MONITOR = "jgz_monitor"  # of one JGZ organisation: the figures of its service area


class Permission(StrEnum):
    """What a role may do. Views, templates and services ask for these, never for a role."""

    INBOX = "inbox"  # the JGZ inbox: the registrations of one's own JGZ organisation(s)
    ADVICE = "advice"  # advice cards, registering together with a parent, referring (by profession)
    DIRECTORY_EDIT = "directory.edit"  # keep the sociale kaart right: the offerings in one's own gemeenten
    DIRECTORY_EDIT_ALL = "directory.edit_all"  # … every offering, home visits and national ones too
    QA_MEMBER = "qa.member"  # the vraagbaak: ask, answer, follow
    QA_MODERATE = "qa.moderate"  # moderate the vraagbaak, review and own accepted answers
    USERS_MANAGE = "users.manage"  # accounts, invitations, account requests, the access log
    MONITOR_VIEW = "monitor.view"  # the monitor's anonymous figures, for the gemeenten of one's scope
    # … and keep their reference figures right: live births, own target-group size, budget
    MONITOR_REFERENCE = "monitor.reference"


class Scope(Enum):
    """What a grant of a role is bound to, which the administrator chooses with the role."""

    NONE = "none"  # the whole desk
    ORGANISATION = "organisation"  # one JGZ organisation (one that routing sends registrations to)
    MUNICIPALITY = "municipality"  # one gemeente (a user can hold several grants)
    PROFESSION = "profession"  # a kind of professional (PROFESSIONS), which decides who may refer


@dataclass(frozen=True)
class Role:
    code: str
    permissions: frozenset[Permission]
    scope: Scope
    second_factor: bool  # personal data or the whole desk: two factors (NEN 7510)
    sees_personal_data: bool  # logged out sooner when idle
    landing_page: str  # the endpoint where this role works, shown after logging in


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    permission: Permission | None  # None: every logged-in user


def _table(*rows: Role) -> dict[str, Role]:
    return {row.code: row for row in rows}


# The order decides the landing page of a user with several roles (the first row she holds).
ROLE_TABLE: Mapping[str, Role] = _table(
    Role(
        ADMIN,
        frozenset(
            {
                Permission.USERS_MANAGE,
                Permission.DIRECTORY_EDIT,
                Permission.DIRECTORY_EDIT_ALL,
                Permission.QA_MEMBER,
                Permission.QA_MODERATE,
            }
        ),
        Scope.NONE,
        second_factor=True,
        sees_personal_data=False,
        landing_page="manage.users",
    ),
    Role(
        JGZ_STAFF,
        frozenset({Permission.INBOX, Permission.QA_MEMBER}),
        Scope.ORGANISATION,
        second_factor=True,
        sees_personal_data=True,
        landing_page="inbox.index",
    ),
    Role(
        GEMEENTE_EDITOR,
        frozenset({Permission.DIRECTORY_EDIT, Permission.QA_MEMBER}),
        Scope.MUNICIPALITY,
        second_factor=False,
        sees_personal_data=False,
        landing_page="directory_manage.index",
    ),
    Role(
        PROFESSIONAL,
        frozenset({Permission.ADVICE, Permission.QA_MEMBER}),
        Scope.PROFESSION,
        second_factor=False,
        sees_personal_data=False,
        landing_page="advice.overview",
    ),
    Role(
        MODERATOR,
        frozenset({Permission.QA_MEMBER, Permission.QA_MODERATE}),
        Scope.NONE,
        second_factor=False,
        sees_personal_data=False,
        landing_page="qa.review_list",
    ),
    # The monitor shows aggregates only (small cells suppressed), never a person: no second factor,
    # which guards personal data and administration. Its roles land on the monitor page.
    Role(
        GEMEENTE_MONITOR,
        frozenset({Permission.MONITOR_VIEW, Permission.MONITOR_REFERENCE}),
        Scope.MUNICIPALITY,
        second_factor=False,
        sees_personal_data=False,
        landing_page="monitor.index",
    ),
    Role(
        REGION_MONITOR,
        frozenset({Permission.MONITOR_VIEW, Permission.MONITOR_REFERENCE}),
        Scope.NONE,
        second_factor=False,
        sees_personal_data=False,
        landing_page="monitor.index",
    ),
    # Figures only, apart from JGZ_STAFF: a manager sees her organisation's figures without its inbox.
    # The reference figures (births, budget) are the gemeenten's: she reads them, she does not set them.
    Role(
        JGZ_MONITOR,
        frozenset({Permission.MONITOR_VIEW}),
        Scope.ORGANISATION,
        second_factor=False,
        sees_personal_data=False,
        landing_page="monitor.index",
    ),
)

# The staff menu, in its order: an entry shows when the user holds its permission. Its words are
# in balie.web.labels.MENU_LABELS (keyed by endpoint).
MENU: tuple[MenuEntry, ...] = (
    MenuEntry("inbox.index", Permission.INBOX),
    MenuEntry("advice.overview", Permission.ADVICE),
    MenuEntry("directory.search", None),  # the sociale kaart is public
    MenuEntry("directory_manage.index", Permission.DIRECTORY_EDIT),
    MenuEntry("qa.index", Permission.QA_MEMBER),
    MenuEntry("monitor.index", Permission.MONITOR_VIEW),
    MenuEntry("manage.users", Permission.USERS_MANAGE),
    MenuEntry("account.overview", None),
)
# Where a user without a role (or with none the table knows) lands after logging in.
HOME_WITHOUT_ROLE = "account.overview"

# A professional's profession. The verloskundig zorgverleners (midwife, clinical midwife,
# gynaecologist) may refer directly (consent.REFERRING_PROFESSIONS); "hospital_other" is any other
# hospital professional (a nurse, a social worker, a paediatrician …), who advises but does not refer.
# "hospital" ("hospital or gynaecologist") was one profession before 2026-12: migration 0009 made
# every such grant "hospital_other", so nobody keeps the right to refer without an administrator
# choosing a referring profession for her.
PROFESSIONS = (
    "midwife",
    "clinical_midwife",
    "gynaecologist",
    "maternity_care",
    "gp",
    "hospital_other",
    "social_team",
    "other",
)


def codes() -> tuple[str, ...]:
    """Every role code, in the table's order."""
    return tuple(ROLE_TABLE)


def role(code: str) -> Role | None:
    """The row of a role code; None for a code the table does not know (it gives nothing)."""
    return ROLE_TABLE.get(code)


def _rows(held: Iterable[str]) -> list[Role]:
    return [row for code in held if (row := ROLE_TABLE.get(code)) is not None]


def scope_of(code: str) -> Scope:
    row = ROLE_TABLE.get(code)
    return row.scope if row is not None else Scope.NONE


def grants_permission(code: str, permission: Permission) -> bool:
    row = ROLE_TABLE.get(code)
    return row is not None and permission in row.permissions


def permissions(held: Iterable[str]) -> frozenset[Permission]:
    """Everything the holder of these role codes may do."""
    return frozenset().union(*(row.permissions for row in _rows(held)))


def with_permission(permission: Permission) -> tuple[str, ...]:
    """The role codes that give a permission (to find, say, who moderates the vraagbaak)."""
    return tuple(code for code, row in ROLE_TABLE.items() if permission in row.permissions)


def scope_kinds() -> tuple[Scope, ...]:
    """The scope kinds the roles use, in the table's order (NONE included when a role has it)."""
    return tuple(dict.fromkeys(row.scope for row in ROLE_TABLE.values()))


def needs_second_factor(held: Iterable[str]) -> bool:
    return any(row.second_factor for row in _rows(held))


def sees_personal_data(held: Iterable[str]) -> bool:
    return any(row.sees_personal_data for row in _rows(held))


def landing_page(held: Iterable[str]) -> str:
    """The endpoint of the working page of the first role (in the table's order) of these codes."""
    wanted = set(held)
    return next((row.landing_page for row in ROLE_TABLE.values() if row.code in wanted), HOME_WITHOUT_ROLE)


def menu(held: Iterable[str]) -> tuple[MenuEntry, ...]:
    """The staff menu entries of the holder of these role codes, in the menu's order."""
    allowed = permissions(held)
    return tuple(entry for entry in MENU if entry.permission is None or entry.permission in allowed)
