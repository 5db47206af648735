"""The sociale kaart's search form: plain GET parameters, so a search can be shared and bookmarked."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from balie.domain.directory import COSTS, PHASES
from balie.web.labels import COST_LABELS, PHASE_LABELS

SORT_LABELS = {"relevance": _l("Best match"), "name": _l("Name (A to Z)"), "checked": _l("Recently checked")}


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(
        _l("What are you looking for?"),
        description=_l("For example: schulden, geen netwerk, borstvoeding, taal"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "true"},
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("Only offers available there. Four digits are enough."),
        validators=[Optional(), Length(max=10)],
        render_kw={"autocomplete": "postal-code", "inputmode": "text"},
    )
    gemeente = SelectField(_l("Or choose a gemeente"), validators=[Optional()])
    categorie = SelectMultipleField(_l("Topic"), validate_choice=False)
    fase = SelectMultipleField(
        _l("Phase"), choices=[SelectChoice(p, PHASE_LABELS[p]) for p in PHASES], validate_choice=False
    )
    taal = SelectMultipleField(_l("Language"), validate_choice=False)
    kosten = SelectMultipleField(
        _l("Cost"), choices=[SelectChoice(c, COST_LABELS[c]) for c in COSTS], validate_choice=False
    )
    sort = SelectField(_l("Sort by"), choices=[SelectChoice(k, v) for k, v in SORT_LABELS.items()], default="relevance")
    page = IntegerField(validators=[Optional()], default=1)

    def __init__(self, municipalities: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gemeente.choices = [SelectChoice("", _l("All gemeenten"))] + [
            SelectChoice(m.code, m.name) for m in municipalities
        ]

    def filter_args(self) -> dict[str, Any]:
        """The current search as URL parameters (for links that change one thing)."""
        args: dict[str, Any] = {}
        for name in ("q", "postcode", "gemeente", "sort"):
            value = getattr(self, name).data
            if value:
                args[name] = value
        for name in ("categorie", "fase", "taal", "kosten"):
            if getattr(self, name).data:
                args[name] = list(getattr(self, name).data)
        return args

    def searched(self) -> bool:
        """Whether anything was asked (words, a place or a filter), not just the page opened."""
        return any(value for name, value in self.filter_args().items() if name != "sort")


class SituationForm(FlaskForm):
    class Meta:
        csrf = False

    situatie = SelectMultipleField(_l("Which situations apply?"), validate_choice=False)
    postcode = StringField(
        _l("Postcode"), validators=[Optional(), Length(max=10)], render_kw={"autocomplete": "postal-code"}
    )
    gemeente = SelectField(_l("Or choose a gemeente"), validators=[Optional()])

    def __init__(self, municipalities: list[Any], situations: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gemeente.choices = [SelectChoice("", _l("Choose a gemeente"))] + [
            SelectChoice(m.code, m.name) for m in municipalities
        ]
        self.situatie.choices = [SelectChoice(s.code, s.label) for s in situations]
