"""A member's calendar feed at a secret, revocable URL (/kalender/<token>.ics):
features register what goes in (meetings, the opening and closing of polls). The
token is shown once; only its SHA-256 is stored, as for API tokens. A calendar
app fetches the feed without cookies, so the token alone opens it: read-only, and
only what the member may see anyway."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

from . import audit
from .auth.decorators import member_required
from .auth.forms import ConfirmForm
from .db import db
from .i18n import _

bp = Blueprint("calendar_feed", __name__)

# function(session, member, base_url) -> the member's events; features register
Source = Callable[[Session, Member, str], list[Event]]
_sources: list[Source] = []


def register_calendar_source(source: Source) -> None:
    _sources.append(source)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_enabled(member: Member) -> bool:
    return member.calendar_token_hash is not None


def create_feed(session: Session, member: Member) -> str:
    """A new secret feed URL's token; an earlier one stops working."""
    token = secrets.token_urlsafe(32)
    renewed = member.calendar_token_hash is not None
    member.calendar_token_hash = _hash(token)
    audit.record(
        session,
        member,
        "calendar_feed.renewed" if renewed else "calendar_feed.created",
        target=member,
    )
    session.commit()
    return token


def revoke_feed(session: Session, member: Member) -> None:
    if member.calendar_token_hash is None:
        return
    member.calendar_token_hash = None
    audit.record(session, member, "calendar_feed.revoked", target=member)
    session.commit()


def feed_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/kalender/{token}.ics"


def member_calendar(session: Session, member: Member) -> bytes:
    """Every registered source's events for the member, in their language."""
    base = current_app.config["BASE_URL"]
    cal = Calendar()
    cal.add("prodid", "-//Ortsverein//Kalender//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    with force_locale(member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        cal.add("x-wr-calname", _("Ortsverein: %(name)s", name=member.first_name))
        for source in _sources:
            for event in source(session, member, base):
                cal.add_component(event)
    return cal.to_ical()


@bp.route("/kalender/<token>.ics")
def feed(token: str):
    """The feed; an unknown or revoked token is 404 like any unknown page."""
    if len(token) > 100:
        abort(404)
    member = db.session.scalar(
        select(Member).where(
            Member.calendar_token_hash == _hash(token), Member.active.is_(True)
        )
    )
    if member is None:
        abort(404)
    body = member_calendar(db.session, member)
    db.session.commit()
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=900"},
    )


@bp.route("/profile/calendar", methods=["POST"])
@member_required
def create():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = create_feed(db.session, current_user)
    return render_template("profile/calendar_created.html", url=feed_url(token))


@bp.route("/profile/calendar/revoke", methods=["POST"])
@member_required
def revoke():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revoke_feed(db.session, current_user)
    flash(_("Die Kalender-Adresse ist widerrufen."), "success")
    return redirect(url_for("notification_settings.index"))
