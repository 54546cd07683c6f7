"""Home page and health check."""

from __future__ import annotations

import os
import stat

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from .db import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Home as "Jetzt dran": what the member should do now first (a running meeting
    to join, polls awaiting their vote, unread posts in followed threads), then the
    rest. Each feature contributes a panel (see register_panel); the page shows
    every panel's "now" part, then every panel's other part, both by `order`."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    member = current_user._get_current_object()
    panels = [
        (template, build(db.session, member))
        for template, build in current_app.extensions.get("ortsverein_panels", [])
    ]
    panels.sort(key=lambda panel: panel[1].get("order", 50))
    return render_template("main/index.html", panels=panels)


def register_panel(app, template: str, build) -> None:
    """A feature's part of the home page: `template` is included twice, with
    `part` set to "now" (what to do now; render nothing when there is nothing) and
    to "rest", and `panel` set to `build(session, member)`, a dict whose "order"
    (default 50) places it among the others."""
    app.extensions.setdefault("ortsverein_panels", []).append((template, build))


@bp.route("/healthz")
def healthz():
    """For load balancers and monitoring: the database, Redis (when configured) and
    the ballot key folder (there, writable, 0700). 200 when all are fine, else 503;
    the JSON body says which check failed."""
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
    checks["ballot_keys"] = key_folder_state(current_app.config["BALLOT_KEY_DIR"])
    if checks["ballot_keys"] != "ok":
        current_app.logger.warning(
            "health check: ballot key folder %s", checks["ballot_keys"]
        )
        status = 503
    checks["status"] = "ok" if status == 200 else "error"
    return jsonify(checks), status


def key_folder_state(folder: str) -> str:
    """ok, missing, not_writable or wrong_mode (anything but 0700 lets others list
    or reach the keys of open secret polls)."""
    try:
        info = os.stat(folder)
    except OSError:
        return "missing"
    if not stat.S_ISDIR(info.st_mode):
        return "missing"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "not_writable"
    if stat.S_IMODE(info.st_mode) != 0o700:
        return "wrong_mode"
    return "ok"
