"""What every template can use: languages, the page direction, the region's name, filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale, gettext
from markupsafe import Markup
from wtforms import Field

from balie.domain import contact, roles
from balie.domain.consent import ASSISTED_TEXT_VERSION, FEEDBACK_TEXT_VERSION, REFERRAL_TEXT_VERSION
from balie.domain.directory import PHASES
from balie.domain.errors import DomainError
from balie.domain.languages import contact_language
from balie.domain.postcode import Postcode
from balie.domain.roles import Scope
from balie.i18n import LANGUAGES, explicit_language, language
from balie.services.audit.access_log import PUBLIC_FORM, SYSTEM
from balie.web import staff_templating
from balie.web.labels import (
    ACTOR_ROLE_LABELS,
    CALL_TIME_LABELS,
    CHANGE_ACTION_LABELS,
    CHANGE_FIELD_LABELS,
    COST_LABELS,
    FEEDBACK_EVENT_LABELS,
    OUTCOME_LABELS,
    PHASE_LABELS,
    PROFESSION_LABELS,
    REASON_LABELS,
    RECOGNITION_LABELS,
    ROLE_LABELS,
    STATUS_OF_SERVICE_LABELS,
)


def phone_filter(text: str | None) -> str:
    """A phone number as typed, shown in its usual national or international form."""
    if not text:
        return ""
    try:
        return contact.display_phone(contact.normalise_phone(text))
    except DomainError:
        return text


def tel_uri(text: str | None) -> str:
    """A phone number as written ("088 000 00 01") as a tap-to-call address in E.164
    ("tel:+31880000001"); empty when it is not a number one can call, so it stays plain text."""
    try:
        return "tel:" + contact.normalise_phone(text or "")
    except DomainError:
        return ""


def web_href(url: str | None) -> str:
    """A website from the sociale kaart as a link target: only http(s) with a host, never javascript: and such."""
    parts = urlsplit((url or "").strip())
    return parts.geturl() if parts.scheme in ("http", "https") and parts.hostname else ""


def web_label(url: str | None) -> str:
    """A website as people read and type it: jgz-delfland.example/contact (no https://, no last slash)."""
    parts = urlsplit((url or "").strip())
    if not parts.netloc:
        return url or ""
    return (parts.netloc + parts.path).rstrip("/") + (f"?{parts.query}" if parts.query else "")


def postcode_filter(text: str | None) -> str:
    try:
        return str(Postcode.parse(text or ""))
    except DomainError:
        return text or ""


def choice_label(field: Field) -> str:
    """The label of the chosen option of a select or radio field."""
    return next((str(choice.label) for choice in field.choices if choice.value == field.data), "")


def choice_labels(field: Field) -> list[str]:
    chosen = set(field.data or ())
    return [str(choice.label) for choice in field.choices if choice.value in chosen]


def contact_language_label(code: str | None) -> str:
    """A contact language in the page language, with its own name: Arabisch (العربية)."""
    found = contact_language(code or "")
    if found is None:
        return code or ""
    name = gettext(found.english_name)
    return f"{name} ({found.endonym})" if found.endonym and found.endonym != name else name


def datetime_local(moment: Any) -> str:
    """A moment in Dutch time, e.g. 3 december 2026 14:05."""
    return format_datetime(moment, "d MMMM yyyy HH:mm") if moment else ""


def date_local(moment: Any) -> str:
    return format_date(moment, "d MMMM yyyy") if moment else ""


def month_local(moment: Any) -> str:
    return format_date(moment, "MMMM yyyy") if moment else ""


def _idle_seconds() -> int:
    """Seconds of inactivity before the logged-in user is logged out (0 when not logged in)."""
    from flask_login import current_user

    from balie.web.security import idle_limit

    if not current_user or not current_user.is_authenticated:  # None outside a request (outbox mails)
        return 0
    return int(idle_limit(current_user.user).total_seconds())


def step_code_label(code: str | None, kind: str, follow_up_names: Mapping[str, str]) -> str:
    """The code of a progress step in words: the follow-up kind (names from the view), closing outcome or reason."""
    if not code:
        return ""
    if kind == "follow_up":
        return follow_up_names.get(code) or gettext("Other")
    return str({**OUTCOME_LABELS, **REASON_LABELS}.get(code, code)) if kind in ("close", "reroute") else code


def profession_of(user: Any) -> str:
    """The kind of professional a user is (for the parent: "who gave you the code")."""
    profession = next(
        (g.profession for g in user.roles if roles.scope_of(g.role) is Scope.PROFESSION and g.profession), None
    )
    return str(PROFESSION_LABELS.get(profession, "")) if profession else ""


def actor_name(user_id: str | None, names: Mapping[str, str]) -> str:
    """Who did something: her name from `names` (the names the view looked up for the whole page,
    in one query), the desk itself or the parent's form; an id of no user as it is."""
    special = {SYSTEM.user_id: gettext("The desk (automatic)"), PUBLIC_FORM.user_id: gettext("The parent (form)")}
    if user_id in special:
        return special[user_id]
    return names.get(user_id or "") or user_id or ""


PARENT_BLUEPRINTS = frozenset({"public", "directory"})
PARENT_ENDPOINTS = frozenset({"qa.public_faq"})


def is_parent_page(endpoint: str | None) -> bool:
    """A page a parent may be reading (with someone looking over her shoulder)."""
    return endpoint is not None and (endpoint in PARENT_ENDPOINTS or endpoint.partition(".")[0] in PARENT_BLUEPRINTS)


def register(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = str(get_locale())
        return {
            "languages": LANGUAGES,
            "current_language": language(locale),
            # The sociale kaart's content is written in Dutch: on a page in another language its text
            # carries lang="nl", so a screen reader reads it with Dutch pronunciation.
            "content_lang": Markup("") if locale == "nl" else Markup(' lang="nl"'),
            "region_name": app.config["REGION_NAME"],
            "contact_email": app.config["CONTACT_EMAIL"],
            # How long personal data stays on the desk (the purge settings), for the parents' pages.
            "retention": {
                "days_after_close": int(app.config["PURGE_DAYS_AFTER_CLOSE"]),
                "weeks_after_due": int(app.config["PURGE_WEEKS_AFTER_DUE"]),
            },
            "session_idle_seconds": _idle_seconds(),
            # "Exit this page" on the parents' pages only: the public pages, the parents' FAQ and
            # the sociale kaart; never on the pages of staff and professionals.
            "exit_page": app.config["EXIT_PAGE_URL"]
            if has_request_context() and is_parent_page(request.endpoint)
            else None,
        }

    app.jinja_env.filters.update(
        phone=phone_filter,
        tel_uri=tel_uri,
        web_href=web_href,
        web_label=web_label,
        postcode=postcode_filter,
        choice_label=choice_label,
        choice_labels=choice_labels,
        datetime_local=datetime_local,
        date_local=date_local,
        month_local=month_local,
        role_label=lambda code: ROLE_LABELS.get(code, code),
        actor_role=lambda code: str(ACTOR_ROLE_LABELS.get(code, code)),
        contact_language=contact_language_label,
        call_time=lambda code: str(CALL_TIME_LABELS.get(code, code)),
        profession=lambda code: str(PROFESSION_LABELS.get(code, code)) if code else "",
        step_code=step_code_label,
        phase=lambda code: str(PHASE_LABELS.get(code, code)),
        cost=lambda code: str(COST_LABELS.get(code, code)),
        recognition=lambda code: str(RECOGNITION_LABELS.get(code, "")) if code else "",
        service_status=lambda code: str(STATUS_OF_SERVICE_LABELS.get(code, code)),
        actor_name=actor_name,
        profession_of=profession_of,
        feedback_event=lambda code: str(FEEDBACK_EVENT_LABELS.get(code, code)),
        change_action=lambda code: str(CHANGE_ACTION_LABELS.get(code, code)),
        change_field=lambda code: str(CHANGE_FIELD_LABELS.get(code, code)),
        page_language=lambda code: language(code).name,
        phases_in_order=lambda phases: [p for p in PHASES if p in {x.phase for x in phases}],
    )
    app.jinja_env.globals.update(
        explicit_language=explicit_language,
        # The version shown under a consent text is the one stored with the registration.
        consent_versions={
            "assisted": ASSISTED_TEXT_VERSION,
            "referral": REFERRAL_TEXT_VERSION,
            "feedback": FEEDBACK_TEXT_VERSION,
        },
    )
    staff_templating.register(app)
    # No trim_blocks: it glued the sentence after a block tag to the one before it.
    app.jinja_env.lstrip_blocks = True
