"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from .db import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    # Feature packages contribute panels (open polls, new posts, meetings): a
    # template and a function(session, member) returning what it shows.
    panels = [
        (template, build(db.session, current_user._get_current_object()))
        for template, build in current_app.extensions.get("ortsverein_panels", [])
    ]
    return render_template("main/index.html", panels=panels)


@bp.route("/healthz")
def healthz():
    """Database (and Redis, when configured) reachability, for load balancers."""
    status, checks = 200, {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:  # noqa: BLE001  (report any failure, do not raise)
        current_app.logger.warning("health check: database unreachable: %s", err)
        checks["database"], status = "unreachable", 503
    url = current_app.config.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as err:  # noqa: BLE001
            current_app.logger.warning("health check: redis unreachable: %s", err)
            checks["redis"], status = "unreachable", 503
    else:
        checks["redis"] = "not_configured"
    checks["status"] = "ok" if status == 200 else "error"
    return jsonify(checks), status
