"""Authentication: login, invitations, password reset, tokens, two-factor login."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from models import Member, Role

from ..db import db
from ..extensions import login_manager
from ..i18n import _l

# Every page reads the roles (navigation, two-factor rule, visibility) and most the
# home branch: load them with the member, not one lazy query each.
_MEMBER_OPTIONS = (
    joinedload(Member.home_branch),
    joinedload(Member.roles).joinedload(Role.organisation),
)
# Built once: session.get() would build this SELECT with its options per request.
_MEMBER_BY_ID = (
    select(Member).where(Member.id == bindparam("id")).options(*_MEMBER_OPTIONS)
)


@login_manager.user_loader
def load_member(user_id: str) -> Member | None:
    """Load from "id:session_version"; a bumped version revokes the old cookie."""
    raw_id, _, raw_version = user_id.partition(":")
    if not raw_id.isdigit() or not raw_version.isdigit():
        return None
    member = (
        db.session.execute(_MEMBER_BY_ID, {"id": int(raw_id)})
        .unique()
        .scalar_one_or_none()
    )
    if (
        member is None
        or not member.active
        or member.session_version != int(raw_version)
    ):
        return None
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
