"""API tokens and emailed one-time links: random secrets stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from models import ApiToken, LinkPurpose, Member, OneTimeLink, utcnow

from .current import MEMBER_OPTIONS

TOKEN_PREFIX = "ov_"  # noqa: S105  (a prefix, not a secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(session: Session, member: Member, name: str) -> str:
    """Create a token; the caller shows it once and commits."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # Created counts as used: a fresh token's first request then needs no write.
    session.add(
        ApiToken(
            member=member,
            name=name[:100],
            token_hash=digest(token),
            last_used_at=utcnow(),
        )
    )
    return token


# One round trip for what every API request needs: the token's state and its member
# with roles and branches; built once, as every API request runs it. The token is
# read as columns: the member is the object the request goes on with.
_TOKEN_WITH_MEMBER = (
    select(Member, ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.member_id == Member.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
    .options(*MEMBER_OPTIONS)
)


def member_for_token(session: Session, token: str) -> Member | None:
    """The active member behind an unrevoked token, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        session.execute(_TOKEN_WITH_MEMBER, {"token_hash": digest(token)})
        .unique()
        .one_or_none()
    )
    if row is None or row.revoked_at is not None or not row.Member.active:
        return None
    member = row.Member
    from ..permissions import staff_requires_2fa

    if not member.totp_enabled and staff_requires_2fa(session, member):
        return None  # the branch requires 2FA for this office: set it up first
    now = utcnow()
    # Record use at most hourly, so API reads do not turn into writes.
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        session.execute(
            update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
        )
        session.commit()
    return member


class LinkError(Exception):
    """An activation or reset link that cannot be used; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"


def issue_link(
    session: Session, member: Member, purpose: LinkPurpose, valid_for: timedelta
) -> str:
    """A new single-use link secret; older unused links of the same purpose lapse."""
    now = utcnow()
    for old in session.scalars(
        select(OneTimeLink).where(
            OneTimeLink.member_id == member.id,
            OneTimeLink.purpose == purpose,
            OneTimeLink.used_at.is_(None),
        )
    ):
        old.expires_at = min(old.expires_at, now)
    secret = secrets.token_urlsafe(32)
    session.add(
        OneTimeLink(
            member=member,
            purpose=purpose,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return secret


def find_link(session: Session, secret: str, purpose: LinkPurpose) -> OneTimeLink:
    """The usable link for a secret, or LinkError naming why it is not usable."""
    link = session.scalar(
        select(OneTimeLink).where(
            OneTimeLink.token_hash == digest(secret), OneTimeLink.purpose == purpose
        )
    )
    if link is None or not link.member.active:
        raise LinkError("invalid")
    if link.used_at is not None:
        raise LinkError("used")
    if link.expires_at <= utcnow():
        raise LinkError("expired")
    return link
