"""GET /health for monitoring: the database answers, the purge runs, mail does not pile up.

Only yes/no answers, no counts or personal data; 503 when something needs attention.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from balie.clock import today
from balie.extensions import db
from balie.models import OutboxMessage
from balie.models.base import utcnow
from balie.services.operations import retention

blueprint = Blueprint("health", __name__)
MAIL_STUCK_AFTER = timedelta(hours=1)


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    try:
        now = utcnow()
        purge_overdue = retention.purge_overdue(
            db.session, now, today(), int(current_app.config["PURGE_DAYS_AFTER_CLOSE"])
        )
        stuck = db.session.scalar(
            select(func.count()).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.created_at < now - MAIL_STUCK_AFTER
            )
        )
    except SQLAlchemyError:
        db.rollback_quietly()
        return jsonify(database=False), 503
    checks = {"database": True, "purge_on_time": not purge_overdue, "mail_flowing": not stuck}
    return jsonify(**checks), 200 if all(checks.values()) else 503
