"""Refuse state-changing requests that a browser says come from another site.

Every page sends ``Referrer-Policy: no-referrer`` (a registration link must not leak to other
sites), so browsers send no ``Referer`` and, on a form POST, ``Origin: null`` (Fetch standard,
"serializing a request origin"). Flask-WTF's strict HTTPS check, which demands a same-origin
Referer, would refuse every POST over HTTPS; it is switched off (``WTF_CSRF_SSL_STRICT``).

What protects a POST instead, in this order:
1. the CSRF token of the form, tied to the session (Flask-WTF);
2. the session cookie's ``SameSite=Lax``: a POST from another site carries no session cookie,
   so its token cannot match;
3. this check: ``Sec-Fetch-Site`` (sent by current browsers, not settable by a page) must say
   ``same-origin`` (or ``none``: typed or bookmarked), and an ``Origin`` other than ``null``
   must be this site's own.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFError

from balie import security_log

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ACCEPTED_FETCH_SITES = frozenset({"same-origin", "none"})


def own_origin() -> str:
    return f"{request.scheme}://{request.host}"


def refusal_reason() -> str | None:
    """Why this request looks cross-site, or None when nothing says so."""
    if request.method in SAFE_METHODS:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ACCEPTED_FETCH_SITES:
        return "fetch-site"
    origin = request.headers.get("Origin")
    if origin is not None and origin != "null" and origin.rstrip("/") != own_origin():
        return "origin"
    return None


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_cross_site() -> None:
        reason = refusal_reason()
        if reason is not None:
            security_log.event("input_validation_fail", check="cross_site_request", by=reason)
            raise CSRFError(description="cross-site request")
