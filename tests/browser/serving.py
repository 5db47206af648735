"""The app served by a real (threaded) werkzeug server on 127.0.0.1, in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from balie.extensions import db
from tests.support.databases import free_port


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Flask, port: int | None = None) -> Iterator[str]:
    """Serve `app` until the block ends and yield its address; then stop the server and close
    the app's database connections. Pass `port` when the app must know its address beforehand."""
    server: BaseWSGIServer = make_server(
        "127.0.0.1", port or free_port(), app, threaded=True, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="balie-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
