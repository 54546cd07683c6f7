"""Login sessions kept on the server: one row per login and device, so that a
session cookie stops working when its login ends, not only when it expires."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import LoginSession, Member, utcnow

from ..db import holds_write_lock, write_intent

# The key of the login session's secret in the (signed) session cookie.
SESSION_KEY = "_login"
# Last use is noted at most this often: not a write with every request.
SEEN_EVERY = timedelta(hours=1)


def key_of(secret: str) -> str:
    """The stored key of a secret: a database copy holds no usable cookie value."""
    return hashlib.sha256(secret.encode()).hexdigest()


def begin(session: Session, member: Member) -> str:
    """Record a new login of the member and return the secret for its cookie; the
    caller commits with the rest of the login."""
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(id=key_of(secret), member_id=member.id))
    return secret


def end(session: Session, secret: str) -> None:
    """End one login session (logout), so a copy of its cookie is refused; the
    caller commits."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == key_of(secret), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all(session: Session, member_id: int) -> None:
    """End every login session of the member (new password, deactivation); the
    caller commits."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.member_id == member_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def mark_seen(session: Session, key: str, last_seen: datetime) -> None:
    """Note that a login session is in use, at most once an hour, so that unused
    ones can be told apart and removed."""
    now = utcnow()
    if now - last_seen < SEEN_EVERY:
        return
    stmt = update(LoginSession).where(LoginSession.id == key).values(last_seen_at=now)
    if holds_write_lock(session):
        session.execute(stmt)  # committed with the request's own writes
        return
    if session.in_transaction():
        session.commit()  # ends the read only; nothing loaded is expired
    with write_intent():
        session.execute(stmt)
        session.commit()
