"""Roles on the desk. A user may hold several; some are scoped to an organisation or gemeente."""

from __future__ import annotations

ADMIN = "admin"
JGZ_STAFF = "jgz_staff"  # of one JGZ organisation: sees its registrations
GEMEENTE_EDITOR = "gemeente_editor"  # of one gemeente (a user can hold several)
PROFESSIONAL = "professional"  # advisor: midwife, maternity care, GP, hospital, social team
MODERATOR = "moderator"  # appointed expert in the vraagbaak

ROLES = (ADMIN, JGZ_STAFF, GEMEENTE_EDITOR, PROFESSIONAL, MODERATOR)
# Roles that give access to personal data or to the whole desk need a second factor.
MFA_REQUIRED = frozenset({ADMIN, JGZ_STAFF})
# Staff who see personal data are logged out sooner when idle.
SEES_PERSONAL_DATA = frozenset({JGZ_STAFF})
PROFESSIONS = ("midwife", "maternity_care", "gp", "hospital", "social_team", "other")
