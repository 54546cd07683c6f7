"""Authentication: login, invitations, password reset, tokens, two-factor login."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for

from ..db import db
from ..extensions import login_manager
from ..i18n import _l
from . import login_sessions
from .current import CurrentMember, load_current


@login_manager.user_loader
def load_member(user_id: str) -> CurrentMember | None:
    """Load from "id:session_version" and the cookie's login session; a bumped
    version or an ended login session revokes the cookie. The member comes as plain
    values, the ORM object only when a view needs it (auth.current)."""
    raw_id, _, raw_version = user_id.partition(":")
    secret = session.get(login_sessions.SESSION_KEY)
    if not raw_id.isdigit() or not raw_version.isdigit() or not isinstance(secret, str):
        return None
    key = login_sessions.key_of(secret)
    found = load_current(int(raw_id), key)
    if found is None:
        return None
    member, last_seen = found
    if not member.active or member.session_version != int(raw_version):
        return None
    login_sessions.mark_seen(db.session, key, last_seen)
    return member


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        from ..api.errors import api_error

        return api_error(401, "unauthenticated", "authentication required")
    flash(str(_l("Bitte melde dich an, um diese Seite zu sehen.")), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    from . import profile, views

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    app.register_blueprint(views.bp)
    app.register_blueprint(profile.bp)
