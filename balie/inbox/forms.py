"""Forms of the JGZ inbox: filters (GET) and the steps of the status flow."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from balie.domain.status_flow import REROUTE_REASONS, VISITS_HELD
from balie.services.registrations.inbox import SORTS, WAITING_CHOICES, InboxFilter
from balie.web.labels import OUTCOME_LABELS, REASON_LABELS, STATUS_LABELS

SORT_LABELS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "due": _l("Due month")}


class InboxFilterForm(FlaskForm):
    """Plain GET parameters: a filtered inbox can be bookmarked."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    due = SelectField(_l("Due month"), validators=[Optional()])
    waiting = SelectField(_l("Waiting for contact"), validators=[Optional()])
    mine = BooleanField(_l("Only registrations I picked up"))
    sort = SelectField(_l("Sort"), choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()], default="newest")
    page = IntegerField(validators=[Optional()], default=1)

    def __init__(self, due_months: list[date], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", _l("All"))] + [SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
        self.due.choices = [SelectChoice("", _l("All"))] + [
            SelectChoice(month.strftime("%Y-%m"), format_date(month, "MMMM yyyy")) for month in due_months
        ]
        self.waiting.choices = [SelectChoice("", _l("All"))] + [
            SelectChoice(str(days), _l("More than %(days)d working days", days=days)) for days in WAITING_CHOICES
        ]

    def to_filter(self) -> InboxFilter:
        due = None
        if self.due.data:
            year, month = self.due.data.split("-")
            due = date(int(year), int(month), 1)
        return InboxFilter(
            status=self.status.data or None,
            due_month=due,
            waiting_more_than=int(self.waiting.data) if self.waiting.data else None,
            mine=bool(self.mine.data),
            sort=self.sort.data if self.sort.data in SORTS else "newest",
            page=self.page.data or 1,
        )


class StepForm(FlaskForm):
    step = HiddenField(validators=[InputRequired()])
    code = SelectField(_l("Kind"), validators=[Optional()], validate_choice=False)


class RerouteForm(FlaskForm):
    organisation = SelectField(_l("Send to"), validators=[InputRequired(_l("Choose an organisation"))])
    reason = SelectField(
        _l("Reason"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(k, REASON_LABELS[k]) for k in REROUTE_REASONS],
        validators=[InputRequired(_l("Choose a reason"))],
    )


class CloseForm(FlaskForm):
    """Closing is final: the outcome is chosen on purpose (nothing preselected) and confirmed."""

    outcome = RadioField(
        _l("How did it end?"), validators=[InputRequired(_l("Choose how it ended"))], validate_choice=False
    )

    def __init__(self, outcomes: tuple[str, ...], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice(k, OUTCOME_LABELS[k]) for k in outcomes]
        if VISITS_HELD not in outcomes:
            self.outcome.description = _l("“Visit(s) held” can be chosen once a visit has been recorded.")

    def validate_outcome(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(str(_l("Choose one of the outcomes shown")))
