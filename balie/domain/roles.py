"""Roles on the desk. A user may hold several; some are scoped to an organisation or gemeente."""

from __future__ import annotations

ADMIN = "admin"
JGZ_STAFF = "jgz_staff"  # of one JGZ organisation: sees its registrations
GEMEENTE_EDITOR = "gemeente_editor"  # of one gemeente (a user can hold several)
PROFESSIONAL = "professional"  # advisor: midwife, gynaecologist, maternity care, GP, social team …
MODERATOR = "moderator"  # appointed expert in the vraagbaak

ROLES = (ADMIN, JGZ_STAFF, GEMEENTE_EDITOR, PROFESSIONAL, MODERATOR)
# Roles that give access to personal data or to the whole desk need a second factor.
MFA_REQUIRED = frozenset({ADMIN, JGZ_STAFF})
# Staff who see personal data are logged out sooner when idle.
SEES_PERSONAL_DATA = frozenset({JGZ_STAFF})
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
