"""Whose figures a monitor user may see or keep right: a set of gemeenten, from her role grants.

The role table (balie.domain.roles) decides which roles give a monitor permission and what each
grant is bound to; this module only turns the grants into gemeenten:

- a grant scoped to a gemeente (gemeente monitor): that gemeente (one grant per gemeente);
- a grant scoped to nothing (regional monitor): every gemeente of the desk's region (its GGD-regio's);
- a grant scoped to a JGZ organisation (JGZ monitor): the gemeenten of that organisation's service
  area, i.e. the areas of its home-visit services (any status: a paused service keeps its history).

Grants of roles that do not give the permission count for nothing, so a JGZ nurse who is also
gemeente monitor of Delft sees Delft's figures, not her organisation's service area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from balie.domain import roles as role_table
from balie.domain.directory import SERVICE_KIND_HOME_VISIT
from balie.domain.roles import Permission, Scope
from balie.models import Municipality, RoleGrant, Service, ServiceArea, User


@dataclass(frozen=True)
class MonitorScope:
    """The gemeenten (CBS codes, GM0518) whose figures a user may see or keep right; empty: none."""

    municipality_codes: frozenset[str]
    # The JGZ organisations among her grants (JGZ monitor): their service areas are in the codes above.
    organisation_ids: frozenset[str] = frozenset()

    def covers(self, municipality_code: str) -> bool:
        return municipality_code in self.municipality_codes

    def __bool__(self) -> bool:
        return bool(self.municipality_codes)


def region_municipality_codes(session: Session, region_ggd_codes: tuple[str, ...]) -> frozenset[str]:
    """Every gemeente of the desk's region (config.region_ggd_codes)."""
    return frozenset(session.scalars(select(Municipality.code).where(Municipality.ggd_code.in_(region_ggd_codes))))


def service_area_codes(session: Session, organisation_ids: Iterable[str]) -> frozenset[str]:
    """The gemeenten the home-visit services of these JGZ organisations cover."""
    wanted = set(organisation_ids)
    if not wanted:
        return frozenset()
    return frozenset(
        session.scalars(
            select(ServiceArea.municipality_code)
            .join(Service, Service.id == ServiceArea.service_id)
            .where(Service.organisation_id.in_(wanted), Service.kind == SERVICE_KIND_HOME_VISIT)
        )
    )


def scope_for(
    session: Session, grants: Iterable[RoleGrant], permission: Permission, region_ggd_codes: tuple[str, ...]
) -> MonitorScope:
    """The gemeenten for which these grants (a user's ``roles``) give the permission."""
    codes: set[str] = set()
    organisations: set[str] = set()
    whole_region = False
    for grant in grants:
        if not role_table.grants_permission(grant.role, permission):
            continue
        kind = role_table.scope_of(grant.role)
        if kind is Scope.NONE:
            whole_region = True
        elif kind is Scope.MUNICIPALITY and grant.municipality_code:
            codes.add(grant.municipality_code)
        elif kind is Scope.ORGANISATION and grant.organisation_id:
            organisations.add(grant.organisation_id)
    if whole_region:
        codes |= region_municipality_codes(session, region_ggd_codes)
    codes |= service_area_codes(session, organisations)
    return MonitorScope(frozenset(codes), frozenset(organisations))


def monitor_scope(session: Session, grants: Iterable[RoleGrant], region_ggd_codes: tuple[str, ...]) -> MonitorScope:
    """The gemeenten whose monitor figures these grants let one see (Permission.MONITOR_VIEW)."""
    return scope_for(session, grants, Permission.MONITOR_VIEW, region_ggd_codes)


def reference_figures_scope(
    session: Session, grants: Iterable[RoleGrant], region_ggd_codes: tuple[str, ...]
) -> MonitorScope:
    """The gemeenten whose births, target group and budget these grants let one set (MONITOR_REFERENCE)."""
    return scope_for(session, grants, Permission.MONITOR_REFERENCE, region_ggd_codes)


def monitor_scopes(session: Session, region_ggd_codes: tuple[str, ...]) -> set[frozenset[str]]:
    """Every distinct scope of the active users with a monitor grant (the sets of gemeenten the
    monitor page is asked for); empty scopes left out."""
    roles = role_table.with_permission(Permission.MONITOR_VIEW)
    users = session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(RoleGrant.role.in_(roles), User.is_active)
    ).unique()
    scopes = {monitor_scope(session, user.roles, region_ggd_codes).municipality_codes for user in users}
    return {codes for codes in scopes if codes}
