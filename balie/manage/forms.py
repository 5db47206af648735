"""Forms for administrators: invitations, roles, the access log filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from balie.domain import roles
from balie.domain.roles import PROFESSIONS, Scope
from balie.services.accounts.lifecycle import Grant
from balie.web.labels import PROFESSION_LABELS, ROLE_LABELS

# The field that names a grant's scope, per scope kind of the role table.
SCOPE_FIELDS = {Scope.ORGANISATION: "organisation", Scope.MUNICIPALITY: "municipality", Scope.PROFESSION: "profession"}


class GrantForm(FlaskForm):
    """One role of the role table, with the organisation, gemeente or profession its scope kind needs."""

    role = SelectField(_l("Role"), validators=[InputRequired(_l("Choose a role"))])
    organisation = SelectField(_l("Organisation (for JGZ staff and JGZ monitors)"), validators=[Optional()])
    municipality = SelectField(_l("Gemeente (for gemeente editors and gemeente monitors)"), validators=[Optional()])
    profession = SelectField(_l("Profession (for professionals)"), validators=[Optional()])

    def fill(self, organisations: list[Any], municipalities: list[Any]) -> None:
        self.role.choices = [SelectChoice("", _l("Choose"))] + [
            SelectChoice(code, ROLE_LABELS.get(code, code)) for code in roles.codes()
        ]
        self.organisation.choices = [SelectChoice("", "–")] + [SelectChoice(o.id, o.name) for o in organisations]
        self.municipality.choices = [SelectChoice("", "–")] + [SelectChoice(m.code, m.name) for m in municipalities]
        self.profession.choices = [SelectChoice("", "–")] + [SelectChoice(p, PROFESSION_LABELS[p]) for p in PROFESSIONS]

    def scope_fields(self) -> list[Field]:
        """The fields of the scope kinds the roles use, in the role table's order."""
        return [getattr(self, SCOPE_FIELDS[kind]) for kind in roles.scope_kinds() if kind is not Scope.NONE]

    def grant(self) -> Grant:
        return Grant(
            self.role.data,
            self.organisation.data or None,
            self.municipality.data or None,
            self.profession.data or None,
        )


class InviteForm(GrantForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name")), Length(max=120)])
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(_l("Enter an e-mail address")),
            Email(_l("Enter an e-mail address like name@example.com")),
            Length(max=254),
        ],
        render_kw={"spellcheck": "false"},
    )


class RemoveRoleForm(FlaskForm):
    grant_id = HiddenField(validators=[InputRequired()])


class AccessLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    object_id = StringField(_l("Record id"), validators=[Optional(), Length(max=64)])
    actor = StringField(_l("User id"), validators=[Optional(), Length(max=64)])
    event = StringField(_l("Event"), validators=[Optional(), Length(max=48)])
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("success", "success"),
            SelectChoice("denied", "denied"),
            SelectChoice("error", "error"),
        ],
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional()], default=1)
