"""A slow parent, a rate limit or a failing database never cost the answers typed: the error
handlers of the blueprints that serve the registration flow (public and advice)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError

from balie.registration import flow
from balie.registration.forms import RegistrationForm
from balie.web.errors import note_database_failure, render_error

CONFIRMATION_ENDPOINTS = frozenset(f.confirmation_endpoint for f in flow.FLOWS)
FORM_ENDPOINTS = frozenset(endpoint for f in flow.FLOWS for endpoint in (f.check_endpoint, f.send_endpoint))


def flow_for(endpoint: str | None) -> flow.Flow:
    return next(
        (f for f in (flow.ASSISTED, flow.REFERRAL) if endpoint in (f.check_endpoint, f.send_endpoint)), flow.SELF
    )


def form_expired(_error: CSRFError) -> Any:
    """A slow parent loses nothing: the form comes back with her input and a fresh token."""
    if request.endpoint not in FORM_ENDPOINTS:
        return render_error(400)
    form = RegistrationForm(meta={"csrf": False})
    flow.issue_tokens(form)
    return flow.render_form(form, flow_for(request.endpoint), 400, notice="expired")


def _too_many(_error: RateLimitExceeded) -> Any:
    form = RegistrationForm(meta={"csrf": False})
    flow.issue_tokens(form)
    return flow.render_form(form, flow.SELF, 429, notice="too_many")


def _database_failed(error: SQLAlchemyError) -> Any:
    """A locked or failing database before the commit (a lookup, a flush): "not saved, try
    again" with her answers, like a failing commit — never the bare error page. Nothing was
    stored (rolled back). No second query: a locked database would only make her wait again."""
    note_database_failure(error)
    if request.endpoint in CONFIRMATION_ENDPOINTS:
        # She was sent here only after her registration was stored: say so, not "not saved".
        return render_template("public/confirmation_unavailable.html"), 503
    if request.endpoint not in FORM_ENDPOINTS:
        return render_error(503)
    form = RegistrationForm(meta={"csrf": False})
    flow.issue_tokens(form)
    route_flow = flow_for(request.endpoint)
    if request.endpoint == route_flow.send_endpoint:
        return render_template(
            "public/check.html", form=form, flow=route_flow, routed=None, card=None, not_saved=True
        ), 503
    return flow.render_form(form, route_flow, 503, notice="not_saved", look_up=False)


def register(target: Blueprint) -> None:
    """For a blueprint that serves the registration flow."""
    target.register_error_handler(CSRFError, form_expired)
    target.register_error_handler(RateLimitExceeded, _too_many)
    target.register_error_handler(SQLAlchemyError, _database_failed)
