"""Data rights: privacy notice and Impressum, data export, account deletion and
retention (GDPR Art. 13, 15, 17, 20; § 5 DDG)."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, session, url_for
from flask_login import current_user, user_logged_in
from sqlalchemy.orm import Session

from ..db import db

bp = Blueprint("privacy", __name__)

# Set at login when the current privacy notice has not been shown to the member.
NOTICE_DUE = "privacy_notice_due"
# Where a member who has yet to see the notice may go meanwhile.
_OPEN_ENDPOINTS = {"static", "auth.logout", "privacy.notice", "privacy.imprint"}


def end_read(session: Session) -> None:
    """End a read transaction before writing: on SQLite a reader that turns writer
    fails when another writer committed since it began (login_sessions.mark_seen)."""
    if session.in_transaction():
        session.commit()  # read only; nothing loaded is expired


def _flag_notice(_app, user, **_kwargs) -> None:
    from .texts import notice_due

    if notice_due(db.session, user):
        session[NOTICE_DUE] = True


def _show_notice_first():
    """After a login that found an unseen notice, the next page is the notice."""
    if (
        not session.get(NOTICE_DUE)
        or request.method != "GET"
        or request.endpoint in _OPEN_ENDPOINTS
        or request.path.startswith("/api/")
        or not current_user.is_authenticated
    ):
        return None
    return redirect(url_for("privacy.notice", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    from . import account_views, cli, views  # noqa: F401  (routes)

    app.register_blueprint(bp)
    user_logged_in.connect(_flag_notice, app)
    app.before_request(_show_notice_first)
    app.cli.add_command(cli.retention)
