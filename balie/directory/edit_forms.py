"""The form with which a gemeente editor creates or changes an offering."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, Email, InputRequired, Length, Optional, ValidationError

from balie.domain.contact import InvalidPhone, normalise_phone
from balie.domain.directory import COSTS, PHASES, RECOGNITION_LEVELS, LocationRecord, PhoneRecord, ServiceRecord
from balie.domain.languages import CONTACT_LANGUAGES
from balie.services.directory.editing import EDITABLE_STATUSES
from balie.web.form_fields import MultiCheckboxField
from balie.web.labels import COST_LABELS, PHASE_LABELS, RECOGNITION_LABELS, STATUS_OF_SERVICE_LABELS


def _lines(text: str | None) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in (text or "").splitlines() if line.strip()]


class ServiceForm(FlaskForm):
    service_id = HiddenField()
    name = StringField(
        _l("Name of the offer"), validators=[InputRequired(_l("Enter the name of the offer")), Length(max=200)]
    )
    organisation = SelectField(_l("Organisation"), validators=[Optional()])
    new_organisation = StringField(
        _l("Or a new organisation"),
        description=_l("Only if the organisation is not in the list."),
        validators=[Optional(), Length(max=200)],
    )
    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(s, STATUS_OF_SERVICE_LABELS[s]) for s in EDITABLE_STATUSES],
        default="active",
    )
    description = TextAreaField(
        _l("What is it?"),
        description=_l("Two to four short sentences in plain language."),
        validators=[InputRequired(_l("Describe the offer")), Length(max=4000)],
        render_kw={"rows": 4},
    )
    target_group = TextAreaField(_l("For whom?"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    eligibility = TextAreaField(
        _l("Conditions (optional)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    application_process = TextAreaField(
        _l("How to refer or apply"),
        description=_l("The next step for a professional or a parent: who to call or mail, what to send."),
        validators=[InputRequired(_l("Describe how to refer or apply")), Length(max=4000)],
        render_kw={"rows": 3},
    )
    summary_en = TextAreaField(
        _l("In English: the name and one line (optional)"),
        description=_l(
            "A translation for parents who read English, for example: 'Home-Start: volunteers who visit "
            "families with young children.' Pages in other languages show it beside the Dutch text, marked "
            "as a translation."
        ),
        validators=[Optional(), Length(max=300)],
        render_kw={"rows": 2, "lang": "en"},
    )
    phases = MultiCheckboxField(
        _l("Phase"), choices=[SelectChoice(p, PHASE_LABELS[p]) for p in PHASES], validate_choice=False
    )
    categories = MultiCheckboxField(_l("Topics"), validate_choice=False)
    areas = MultiCheckboxField(_l("Gemeenten where it is offered"), validate_choice=False)
    languages = MultiCheckboxField(
        _l("Languages spoken (without interpreter)"),
        choices=[
            SelectChoice(lang.code, lang.endonym or lang.code) for lang in CONTACT_LANGUAGES if lang.code != "other"
        ],
        validate_choice=False,
    )
    cost = RadioField(_l("Cost"), choices=[SelectChoice(c, COST_LABELS[c]) for c in COSTS], default="free")
    fees = StringField(_l("Cost explained (optional)"), validators=[Optional(), Length(max=500)])
    recognition = SelectField(
        _l("Recognised intervention (Databank Effectieve Jeugdinterventies)"),
        choices=[SelectChoice("", _l("Not assessed"))]
        + [SelectChoice(r, RECOGNITION_LABELS[r]) for r in RECOGNITION_LEVELS],
        validators=[Optional()],
    )
    alert = StringField(
        _l("Notice or waiting time (optional)"),
        description=_l("For example: waiting time about 4 weeks."),
        validators=[Optional(), Length(max=500)],
    )
    url = URLField(
        _l("Website (optional)"),
        validators=[Optional(), URL(message=_l("Enter a web address starting with https://")), Length(max=300)],
    )
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[Optional(), Email(_l("Enter an e-mail address like name@example.com")), Length(max=200)],
    )
    phones = TextAreaField(
        _l("Phone numbers (optional)"),
        description=_l("One per line: number | when or for what. For example: 015 123 45 67 | weekdays 9.00 to 12.00"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )
    locations = TextAreaField(
        _l("Locations (optional)"),
        description=_l("One per line: name | street and number | postcode | place"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 2},
    )

    def fill_choices(self, organisations: list[Any], categories: list[Any], municipalities: list[Any]) -> None:
        self.organisation.choices = [SelectChoice("", _l("Choose"))] + [
            SelectChoice(o.id, o.name) for o in organisations
        ]
        self.categories.choices = [SelectChoice(c.code, c.name) for c in categories]
        self.areas.choices = [SelectChoice(m.code, m.name) for m in municipalities]

    is_national = False  # set by the view for national offerings (no gemeenten to choose)

    def validate_areas(self, field: Any) -> None:
        if self.is_national:
            return
        allowed = {choice.value for choice in self.areas.choices}
        if not field.data:
            raise ValidationError(_l("Choose at least one gemeente"))
        if not set(field.data) <= allowed:
            raise ValidationError(_l("Choose from your own gemeenten"))

    def validate_organisation(self, field: Any) -> None:
        if not field.data and not (self.new_organisation.data or "").strip():
            raise ValidationError(_l("Choose the organisation, or fill in a new one"))

    def validate_phones(self, field: Any) -> None:
        for parts in _lines(field.data):
            if not parts[0] or len(parts[0]) > 30 or not all(c.isdigit() or c in " +()-" for c in parts[0]):
                raise ValidationError(_l("Write each phone number on its own line, like 015 123 45 67 | weekdays"))
            try:  # the same check as the spreadsheet upload: a number that can be dialled
                normalise_phone(parts[0])
            except InvalidPhone:
                raise ValidationError(
                    _l("%(number)s is not a complete phone number: check the digits", number=parts[0])
                ) from None

    def validate_locations(self, field: Any) -> None:
        for parts in _lines(field.data):
            if len(parts) != 4:
                raise ValidationError(_l("Write each location as: name | street and number | postcode | place"))

    def fill_from(self, record: ServiceRecord, organisation_id: str) -> None:
        self.service_id.data = record.id
        self.name.data = record.name
        self.organisation.data = organisation_id
        self.status.data = record.status if record.status in EDITABLE_STATUSES else "inactive"
        self.description.data = record.description
        self.target_group.data = record.target_group
        self.eligibility.data = record.eligibility_description
        self.application_process.data = record.application_process
        self.phases.data = list(record.phases)
        self.categories.data = list(record.categories)
        self.areas.data = list(record.areas)
        self.languages.data = list(record.languages)
        self.cost.data = record.cost
        self.fees.data = record.fees_description
        self.recognition.data = record.recognition or ""
        self.alert.data = record.alert
        self.summary_en.data = record.summary_en
        self.url.data = record.url or ""
        self.email.data = record.email or ""
        self.phones.data = "\n".join(f"{p.number} | {p.description}".rstrip(" |") for p in record.phones)
        self.locations.data = "\n".join(
            f"{loc.name} | {loc.address} | {loc.postal_code} | {loc.city}" for loc in record.locations
        )

    def to_record(self, existing: ServiceRecord | None, checked_by: str, today: date) -> ServiceRecord:
        """The form as a record. Saving an edit counts as checking the entry."""
        old_locations = {(loc.address, loc.postal_code): loc for loc in existing.locations} if existing else {}
        locations = []
        for name, address, postal_code, city in _lines(self.locations.data):
            old = old_locations.get((address, postal_code))
            locations.append(
                LocationRecord(
                    name, address, postal_code, city, old.latitude if old else None, old.longitude if old else None
                )
            )
        return ServiceRecord(
            id=existing.id if existing else "",
            name=" ".join(self.name.data.split()),
            kind=existing.kind if existing else "general",
            status=self.status.data,
            description=self.description.data.strip(),
            areas=tuple(sorted(self.areas.data or ())),
            alternate_name=existing.alternate_name if existing else None,
            url=self.url.data or None,
            email=self.email.data or None,
            application_process=self.application_process.data.strip(),
            fees_description=(self.fees.data or "").strip(),
            response_days=existing.response_days if existing else None,
            languages=tuple(self.languages.data or ()),
            categories=tuple(self.categories.data or ()),
            phones=tuple(PhoneRecord(parts[0], " | ".join(parts[1:])) for parts in _lines(self.phones.data)),
            assured_date=today,
            assurer=checked_by,
            target_group=(self.target_group.data or "").strip(),
            eligibility_description=(self.eligibility.data or "").strip(),
            interpretation_services=existing.interpretation_services if existing else "",
            phases=tuple(self.phases.data or ()),
            cost=self.cost.data if self.cost.data in COSTS else "free",
            recognition=self.recognition.data or None,
            # The year belongs to the level it was given for: another level has no known year.
            recognition_year=existing.recognition_year
            if existing and existing.recognition == (self.recognition.data or None)
            else None,
            alert=(self.alert.data or "").strip(),
            summary_en=" ".join((self.summary_en.data or "").split()),
            is_national=existing.is_national if existing else False,
            locations=tuple(locations),
        )
