"""Balie: the central digital desk for the prenatal home visit (PHB JGZ).

``create_app`` builds the app and does nothing else: no queries, no index builds, no network.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from balie import config as config_module
from balie.config import PROJECT_ROOT


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
    )
    config_module.load(app, overrides)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_error_handlers(app)
    register_request_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    from balie import audit_head, security_log
    from balie.crypto import KeyRing
    from balie.extensions import DATA_KEYS, babel, csrf, db, limiter
    from balie.i18n import select_locale
    from balie.web import cross_site, uploads

    app.extensions[DATA_KEYS] = KeyRing.parse(str(app.config["DATA_KEYS"]))
    db.init_app(app)
    cross_site.register(app)  # before the token check, so a cross-site POST is logged as such
    audit_head.register(app)
    uploads.register(app)  # before the token check, which reads the body
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    security_log.watch_rate_limit_storage()
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def register_blueprints(app: Flask) -> None:
    from balie.account.views import blueprint as account
    from balie.advice.views import blueprint as advice
    from balie.auth.views import blueprint as auth
    from balie.directory.manage_views import blueprint as directory_manage
    from balie.directory.spreadsheet_views import blueprint as directory_spreadsheet
    from balie.directory.views import blueprint as directory
    from balie.inbox.views import blueprint as inbox
    from balie.manage.views import blueprint as manage
    from balie.monitor.views import blueprint as monitor
    from balie.monitor_reference.views import blueprint as monitor_reference
    from balie.public.views import blueprint as public
    from balie.qa.views import blueprint as qa
    from balie.web import security
    from balie.web.health import blueprint as health

    security.register(app)
    for blueprint in (
        public,
        auth,
        account,
        inbox,
        manage,
        directory,
        directory_manage,
        directory_spreadsheet,
        qa,
        advice,
        monitor_reference,
        monitor,
        health,
    ):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    from balie.cli import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from balie.web.errors import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from balie.web import security_headers, templating

    security_headers.register(app)
    templating.register(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
