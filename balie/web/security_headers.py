"""Strict security headers on every response, error pages included.

The Content-Security-Policy has no 'unsafe-inline' or 'unsafe-eval' (Logius U/PW.03 is
judged to the letter): no inline scripts or styles anywhere in the templates.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)


def register(app: Flask) -> None:
    hsts = f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains"

    @app.after_request
    def _set_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["Strict-Transport-Security"] = hsts
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()"
        if request.endpoint != "static":
            # Pages may show personal data (check-your-answers): never store them anywhere.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
            headers.add("Vary", "Cookie")
        return response
