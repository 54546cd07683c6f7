"""Authentication: login, invitations, password reset, tokens, two-factor login."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from models import LoginSession, Member, Role

from ..db import db
from ..extensions import login_manager
from ..i18n import _l
from . import login_sessions

# Every page reads the roles (navigation, two-factor rule, visibility) and most the
# home branch: load them with the member, not one lazy query each.
_MEMBER_OPTIONS = (
    joinedload(Member.home_branch),
    joinedload(Member.roles).joinedload(Role.organisation),
)
# Built once: session.get() would build this SELECT with its options per request.
# The member comes only with a login session of theirs that has not ended: a cookie
# kept after logout (or remembered by the session interface) finds none. One query,
# as before; the login session is found by its primary key.
_MEMBER_BY_LOGIN = (
    select(Member, LoginSession.last_seen_at)
    .join(LoginSession, LoginSession.member_id == Member.id)
    .where(
        Member.id == bindparam("id"),
        LoginSession.id == bindparam("login"),
        LoginSession.ended_at.is_(None),
    )
    .options(*_MEMBER_OPTIONS)
)


@login_manager.user_loader
def load_member(user_id: str) -> Member | None:
    """Load from "id:session_version" and the cookie's login session; a bumped
    version or an ended login session revokes the cookie."""
    raw_id, _, raw_version = user_id.partition(":")
    secret = session.get(login_sessions.SESSION_KEY)
    if not raw_id.isdigit() or not raw_version.isdigit() or not isinstance(secret, str):
        return None
    key = login_sessions.key_of(secret)
    row = (
        db.session.execute(_MEMBER_BY_LOGIN, {"id": int(raw_id), "login": key})
        .unique()
        .one_or_none()
    )
    if row is None:
        return None
    member, last_seen = row
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
