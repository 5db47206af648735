"""WSGI entry point: ``gunicorn wsgi:app``."""

from balie import create_app

app = create_app()
