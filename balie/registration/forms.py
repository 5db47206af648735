"""The registration form: the basiskader, with a reason for every question; and the form with
which she withdraws it (her reference and withdrawal code, from either route's confirmation)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation, ValidationError

from balie.clock import today
from balie.domain import contact, due_date
from balie.domain.errors import DomainError
from balie.domain.languages import CONTACT_LANGUAGES, contact_language
from balie.domain.postcode import HouseNumber, Postcode
from balie.domain.registration import (
    ADVISOR_KINDS,
    CALL_TIMES,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_REACHABLE_AT_CHARS,
    ContactPreferences,
    RegistrationData,
)
from balie.web.form_fields import MultiCheckboxField
from balie.web.labels import CALL_TIME_LABELS, PROFESSION_LABELS

ERRORS = {
    "phone_format": _l("Enter a phone number we can call, like 06 12345678 or +32 470 12 34 56"),
    "email_format": _l("Enter an e-mail address like name@example.com"),
    "postcode_format": _l("Enter a postcode like 2511 AB"),
    "postcode_unknown": _l("We do not know this postcode. Check the four digits and two letters"),
    "house_number_format": _l("Enter a house number like 12"),
    "house_number_addition_format": _l("Enter an addition of at most 6 letters or digits, like A or 2"),
    "due_month_range": _l("Choose the month in which your baby is expected"),
    "advice_code_unknown": _l("We do not know this code. Check it, or leave the field empty"),
    "municipality_missing": _l("Choose the gemeente you live in"),
    "municipality_unknown": _l("Choose a gemeente from the list"),
}


# Control characters, lone surrogates and bidirectional overrides have no place in a name or
# note (they can disguise text in the inbox). Joiners (U+200C/D) stay: Persian names use them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile("[\r\n\t]")


def plain_text(multiline: bool = False) -> Any:
    def check(_form: FlaskForm, field: Field) -> None:
        text = field.data or ""
        if _FORBIDDEN.search(text) or (not multiline and _NEWLINES.search(text)):
            raise ValidationError(gettext("Remove the special characters from this field"))

    return check


def _domain_check(parse: Any) -> Any:
    """A validator that runs a domain parser and shows its rule as a message."""

    def check(_form: FlaskForm, field: Field) -> None:
        if not (field.data or "").strip():
            return
        try:
            parse(field.data)
        except DomainError as error:
            raise ValidationError(str(ERRORS.get(error.code, ERRORS["postcode_format"]))) from None

    return check


def only_when(flag: str, ticked: bool) -> Any:
    """Check this field only when the checkbox ``flag`` is (``ticked``) or is not ticked; otherwise
    the server ignores it. Without JavaScript the address fields and the fields for "no fixed
    address" are all shown, and only the ones that apply count."""

    def check(form: FlaskForm, field: Field) -> None:
        if bool(form[flag].data) != ticked:
            field.errors[:] = []
            raise StopValidation()

    return check


def page_language() -> str:
    """The language question starts at the page's language (English on an English page or from
    an English advice card), and never silently at Dutch on a page in another language: a page
    language that is no contact language starts at "Choose a language"."""
    code = str(get_locale() or "")
    return code if contact_language(code) is not None else ""


def _language_label(name: str, endonym: str) -> str:
    """ "Arabisch — العربية"; the own name is left out when it is (nearly) the same word."""
    if not endonym or endonym.casefold()[:5] == name.casefold()[:5]:
        return name
    return f"{name} — {endonym}"


class RegistrationForm(FlaskForm):
    """One form for every route; the check step and the send step post the same fields."""

    name = StringField(
        _l("How may we address you?"),
        description=_l(
            "Your first name, your full name or the name you like to be called. So the nurse knows how to address you."
        ),
        validators=[
            DataRequired(_l("Enter how we may address you")),
            plain_text(),
            Length(max=MAX_NAME_CHARS, message=_l("Use at most %(max)d characters")),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Phone number"),
        description=_l("The nurse calls you to make an appointment. A number from abroad is fine too."),
        validators=[plain_text(), _domain_check(contact.normalise_phone)],
        render_kw={"autocomplete": "tel"},
    )
    email = EmailField(
        _l("E-mail address"),
        description=_l("If you would rather be contacted by e-mail, or have no phone."),
        validators=[plain_text(), _domain_check(contact.normalise_email)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    no_fixed_address = BooleanField(
        _l("I have no fixed address now"),
        description=_l(
            "For example if you stay in a shelter, have a secret address or a postal address (briefadres), or "
            "have no home. You can register all the same."
        ),
    )
    postcode = StringField(
        _l("Postcode"),
        description=_l("So your registration goes to the youth health care (JGZ) of your gemeente (municipality)."),
        validators=[
            only_when("no_fixed_address", False),
            DataRequired(_l("Enter your postcode")),
            _domain_check(Postcode.parse),
        ],
        render_kw={"autocomplete": "postal-code", "autocapitalize": "characters", "spellcheck": "false"},
    )
    house_number = StringField(
        _l("House number"),
        description=_l("So the nurse can find you if you want the conversation at home."),
        validators=[
            only_when("no_fixed_address", False),
            DataRequired(_l("Enter your house number")),
            _domain_check(HouseNumber.parse),
        ],
        render_kw={"inputmode": "numeric"},
    )
    house_number_addition = StringField(
        _l("Addition (optional)"),
        validators=[only_when("no_fixed_address", False), _domain_check(lambda text: HouseNumber.parse("1", text))],
        render_kw={"autocapitalize": "characters"},
    )
    municipality = RadioField(_l("In which gemeente do you live?"), choices=[], validate_choice=False)
    # The PC4 for which the gemeente question was shown: sending it unanswered is then an error.
    municipality_asked = HiddenField()
    # Without a fixed address: one of the region's gemeenten (checked when routing), and optionally
    # where she can be reached (personal data, sealed like the address).
    no_address_municipality = SelectField(
        _l("In which gemeente are you staying?"),
        description=_l("The youth health care (JGZ) of this gemeente will contact you."),
        choices=[],
        validators=[only_when("no_fixed_address", True), DataRequired(_l("Choose the gemeente where you are staying"))],
        validate_choice=False,
    )
    reachable_at = StringField(
        _l("Where can we reach you? (optional)"),
        description=_l("For example the name of the shelter, or “at my sister’s”. Only what you want to share."),
        validators=[
            only_when("no_fixed_address", True),
            plain_text(),
            Length(max=MAX_REACHABLE_AT_CHARS, message=_l("Use at most %(max)d characters")),
        ],
        render_kw={"maxlength": MAX_REACHABLE_AT_CHARS},
    )
    # The choice fields below check their value with their own validate_* method (a clear
    # message), not WTForms' generic "Not a valid choice" — which a parent would also see when
    # the month she picked dropped off the list while her page was open.
    due_month = SelectField(
        _l("When is your baby due?"),
        description=_l("The month is enough. It helps the nurse plan the conversation at a good moment."),
        validators=[InputRequired(_l("Choose the month in which your baby is expected"))],
        validate_choice=False,
    )
    language = SelectField(
        _l("In which language would you like to talk?"),
        description=_l("The nurse can arrange an interpreter, free of charge."),
        default=page_language,
        validate_choice=False,
    )
    interpreter = RadioField(
        _l("Would you like an interpreter?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        default="no",
        validators=[InputRequired(_l("Choose whether you would like an interpreter"))],
        validate_choice=False,
    )
    call_times = MultiCheckboxField(
        _l("When can we best call you? (optional)"),
        choices=[SelectChoice(code, CALL_TIME_LABELS[code]) for code in CALL_TIMES],
        validate_choice=False,
    )
    no_voicemail = BooleanField(_l("Do not leave a voicemail message"))
    no_text_messages = BooleanField(_l("Do not send text messages"))
    only_chosen_times = BooleanField(_l("Only call at the times I chose"))
    discreet = BooleanField(_l("If someone else answers, do not say where you are calling from"))
    advisor_kind = SelectField(
        _l("Who advised you to register? (optional)"),
        description=_l(
            "So we know which professionals tell parents about this conversation. Only the kind of "
            "professional, not their name."
        ),
        choices=[SelectChoice("", _l("Nobody, or I would rather not say"))]
        + [SelectChoice(k, PROFESSION_LABELS[k] if k != "other" else _l("Someone else")) for k in ADVISOR_KINDS],
        default="",
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Anything else you want the nurse to know? (optional)"),
        description=_l(
            "For example what you would like to talk about. Please do not write medical details here. At most "
            "500 characters."
        ),
        validators=[
            plain_text(multiline=True),
            Length(max=MAX_NOTE_CHARS, message=_l("Use at most %(max)d characters")),
        ],
        render_kw={"rows": 4, "maxlength": MAX_NOTE_CHARS},
    )
    wants_mail = BooleanField(
        _l("Send me a short confirmation by e-mail"),
        description=_l(
            "The e-mail only says that we received your message, with your reference. It does not mention a pregnancy."
        ),
    )
    advice_code = StringField(
        _l("Did a professional give you a code? (optional)"),
        description=_l(
            "It is on the card from your midwife or another professional. Leave it empty if you have no code."
        ),
        validators=[plain_text(), Length(max=20, message=_l("Use at most %(max)d characters"))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    feedback_consent = BooleanField(
        _l("The professional who gave me the code may hear whether the conversation took place"),
        description=_l(
            "Only whether the JGZ reached you, whether the conversation took place and whether extra support "
            "was arranged. Never what you talked about. You can change your mind later."
        ),
    )
    # Samen aanmelden: the parent confirms on the professional's screen.
    parent_agrees = BooleanField(_l("I have read what is shared and I agree"))
    # Direct referral: how the pregnant woman gave her explicit consent (or that she did not).
    consent = RadioField(
        _l("Has the pregnant woman agreed to this referral?"),
        choices=[
            SelectChoice("in_person", _l("Yes, she agreed in person")),
            SelectChoice("by_phone", _l("Yes, she agreed by phone")),
            SelectChoice("no", _l("No, she does not want to be referred")),
        ],
        validate_choice=False,
    )
    submission_token = HiddenField()
    started = HiddenField()
    # Honeypot: hidden from people (and screen readers); only robots fill it in.
    website = StringField(_l("Leave this field empty"), render_kw={"tabindex": "-1", "autocomplete": "off"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.due_month.choices = [SelectChoice("", gettext("Choose a month"))] + [
            SelectChoice(str(month), format_date(month.first_day, "MMMM yyyy"))
            for month in due_date.allowed_months(today())
        ]
        self.language.choices = [
            SelectChoice(lang.code, _language_label(gettext(lang.english_name), lang.endonym))
            for lang in CONTACT_LANGUAGES
        ]
        if not page_language():
            self.language.choices.insert(0, SelectChoice("", gettext("Choose a language")))

    def validate_due_month(self, field: Field) -> None:
        try:
            due_date.check(due_date.DueMonth.parse(field.data or ""), today())
        except DomainError:
            raise ValidationError(str(ERRORS["due_month_range"])) from None

    def validate_language(self, field: Field) -> None:
        if not field.data or field.data not in {choice.value for choice in self.language.choices}:
            raise ValidationError(gettext("Choose a language from the list"))

    def validate_advisor_kind(self, field: Field) -> None:
        if field.data and field.data not in ADVISOR_KINDS:
            raise ValidationError(gettext("Choose from the list"))

    def validate_call_times(self, field: Field) -> None:
        if any(value not in CALL_TIMES for value in field.data or ()):
            raise ValidationError(gettext("Choose from the list"))

    def validate_interpreter(self, field: Field) -> None:
        if field.data not in {"no", "yes"}:
            raise ValidationError(gettext("Choose whether you would like an interpreter"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = [
                *list(self.phone.errors),
                gettext("Enter a phone number or an e-mail address, or both"),
            ]
            valid = False
        if self.wants_mail.data and not (self.email.data or "").strip() and not self.email.errors:
            self.email.errors = [
                *list(self.email.errors),
                gettext("Enter your e-mail address to get a confirmation by e-mail"),
            ]
            valid = False
        return valid

    def safety_wish_labels(self) -> list[str]:
        fields = (self.no_voicemail, self.no_text_messages, self.only_chosen_times, self.discreet)
        return [str(field.label.text) for field in fields if field.data]

    def show_municipality_choice(self, options: list[tuple[str, str]], pc4: str) -> None:
        """The postcode lies in several gemeenten: ask which, keeping a choice she made."""
        self.municipality.choices = [SelectChoice(code, name) for code, name in options]
        if self.municipality.data not in {code for code, _ in options}:
            self.municipality.data = None
        self.municipality_asked.data = pc4

    def municipality_was_asked(self) -> bool:
        """She saw the gemeente question for this very postcode (and sent it back unanswered)."""
        try:
            return (
                bool(self.municipality_asked.data)
                and self.municipality_asked.data == Postcode.parse(self.postcode.data or "").pc4
            )
        except DomainError:
            return False

    def show_region_municipalities(self, options: list[tuple[str, str]]) -> None:
        """Without a fixed address she chooses one of the region's gemeenten."""
        self.no_address_municipality.choices = [SelectChoice("", gettext("Choose a gemeente"))] + [
            SelectChoice(code, name) for code, name in options
        ]

    def to_data(self, route: str = "self", advisor_user_id: str | None = None) -> RegistrationData:
        """The validated input as a frozen value (call only after validate())."""
        phone = (self.phone.data or "").strip()
        email = (self.email.data or "").strip()
        no_address = bool(self.no_fixed_address.data)
        reachable_at = " ".join((self.reachable_at.data or "").split())
        return RegistrationData(
            name=" ".join(self.name.data.split()),
            phone=contact.normalise_phone(phone) if phone else None,
            email=contact.normalise_email(email) if email else None,
            postcode=None if no_address else Postcode.parse(self.postcode.data),
            house=None
            if no_address
            else HouseNumber.parse(self.house_number.data, self.house_number_addition.data or ""),
            no_fixed_address=no_address,
            reachable_at=(reachable_at or None) if no_address else None,
            due=due_date.DueMonth.parse(self.due_month.data),
            language=self.language.data,
            interpreter=self.interpreter.data,
            preferences=ContactPreferences(
                call_times=tuple(t for t in CALL_TIMES if t in (self.call_times.data or ())),
                no_voicemail=bool(self.no_voicemail.data),
                no_text_messages=bool(self.no_text_messages.data),
                only_chosen_times=bool(self.only_chosen_times.data),
                discreet=bool(self.discreet.data),
            ),
            advisor_kind=self.advisor_kind.data or None,
            note=(self.note.data or "").strip(),
            wants_mail=bool(self.wants_mail.data) and bool(email),
            submission_token=self.submission_token.data or "",
            municipality_code=(self.no_address_municipality.data if no_address else self.municipality.data) or None,
            route=route,
            advice_code=((self.advice_code.data or "").strip() or None) if route == "self" else None,
            feedback_consent=self.feedback_consent.data is True,
            advisor_user_id=advisor_user_id if route != "self" else None,
            consent_method=self.consent.data
            if route == "referral" and self.consent.data in ("in_person", "by_phone")
            else None,
        )


class WithdrawalForm(FlaskForm):
    reference = StringField(
        _l("Your reference"),
        description=_l("On your confirmation, for example K7MQ-2QXB."),
        validators=[DataRequired(_l("Enter your reference")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    code = StringField(
        _l("Withdrawal code"),
        description=_l("Also on your confirmation, for example ABCD-EFGH-JKLM."),
        validators=[DataRequired(_l("Enter your withdrawal code")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
