"""Extension instances, unbound: create_app binds them to an app."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from balie.crypto import KeyRing
from balie.database import Database

# Where create_app keeps the data key ring.
DATA_KEYS = "balie.keys"

db = Database()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def data_keys() -> KeyRing:
    """The current app's data key ring, for a caller to hand to a service unopened (only services seal and open)."""
    return current_app.extensions[DATA_KEYS]
