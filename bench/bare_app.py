"""The app exactly as `wsgi.py` serves it, plus one bench-only route: GET /bench/bare → "ok".

Served by the same gunicorn as the real pages, the bare route is the ceiling: it runs the
whole Flask stack (request hooks, locale selection, security headers) but no template, no
form and no database. Used only by bench/registration.py; the app itself is not changed.
"""

from __future__ import annotations

from balie import create_app

app = create_app()


@app.get("/bench/bare")
def bench_bare() -> str:
    return "ok"
