"""Forms of the vraagbaak."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from balie.web.form_fields import MultiCheckboxField

MARKDOWN_HINT = _l(
    "You can use simple Markdown: **bold**, *italic*, lists with -, links as [text](address). Never write "
    "client details: names, BSN, phone numbers, addresses or dates of birth."
)


class QuestionForm(FlaskForm):
    title = StringField(
        _l("Your question"),
        description=_l("One sentence, as you would ask a colleague."),
        validators=[
            DataRequired(_l("Enter your question")),
            Length(min=10, max=200, message=_l("Use between 10 and 200 characters")),
        ],
        render_kw={"autocomplete": "off", "data-similar-url": ""},
    )
    body = TextAreaField(
        _l("Explanation (optional)"),
        description=MARKDOWN_HINT,
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 6},
    )
    tags = MultiCheckboxField(_l("Tags"), validate_choice=False)
    other_tags = StringField(
        _l("Other tags (optional)"),
        description=_l("Separate them with commas."),
        validators=[Optional(), Length(max=200)],
    )

    def fill_tags(self, curated: list[Any]) -> None:
        self.tags.choices = [SelectChoice(tag.code, tag.name) for tag in curated]

    def tag_names(self) -> tuple[str, ...]:
        extra = [part.strip() for part in (self.other_tags.data or "").split(",") if part.strip()]
        return tuple(self.tags.data or ()) + tuple(extra)


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Your answer"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(_l("Write your answer")), Length(max=8000)],
        render_kw={"rows": 8},
    )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search the vraagbaak"), validators=[Optional(), Length(max=200)])
    tag = MultiCheckboxField(_l("Tags"), validate_choice=False)
    opgelost = BooleanField(_l("Only answered questions"))
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice("relevance", _l("Best match")),
            SelectChoice("newest", _l("Newest")),
            SelectChoice("title", _l("Title")),
        ],
        default="relevance",
    )
    page = IntegerField(validators=[Optional()], default=1)


class ModerateForm(FlaskForm):
    action = HiddenField(validators=[InputRequired()])
    merge_into = StringField(_l("Merge into question (address or id)"), validators=[Optional(), Length(max=300)])
    title_nl = StringField(_l("Question in Dutch, for parents"), validators=[Optional(), Length(max=200)])
    answer_nl = TextAreaField(
        _l("Answer in Dutch, for parents"), validators=[Optional(), Length(max=3000)], render_kw={"rows": 5}
    )
    title_en = StringField(_l("Question in English (for parents)"), validators=[Optional(), Length(max=200)])
    answer_en = TextAreaField(
        _l("Answer in English (for parents)"), validators=[Optional(), Length(max=3000)], render_kw={"rows": 4}
    )


class OwnerForm(FlaskForm):
    owner = SelectField(_l("Expert owner"), validators=[InputRequired(_l("Choose an owner"))])
    review_by = DateField(_l("Check again by"), validators=[InputRequired(_l("Enter a date like 2027-06-01"))])


class ReviewedForm(FlaskForm):
    """The owner confirms an answer is still correct: only the next review date."""

    review_by = DateField(_l("Check again by"), validators=[InputRequired(_l("Enter a date like 2027-06-01"))])
