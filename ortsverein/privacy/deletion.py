"""Deleting an account (GDPR Art. 17). The member's row stays as an anonymous
placeholder, because a frozen electorate, a poll in its challenge period and the
hash-chained audit log still refer to it by id; everything that says who it was
goes. Posts stay, shown as "ehemaliges Mitglied", unless the member asks that their
texts go too; then each post's place in its thread stays with a removal note."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from models import (
    ApiToken,
    DataExport,
    EmailMute,
    ForumSubscription,
    LoginSession,
    Member,
    NoticeAcknowledgement,
    Notification,
    OneTimeLink,
    PaperVoter,
    Participation,
    Poll,
    PollKeyShare,
    Post,
    PostReport,
    PostRevision,
    Role,
    Thread,
    ThreadRead,
    ThreadSubscription,
    utcnow,
)

from .. import audit
from ..auth.passwords import check_password as password_matches
from ..errors import NotFound, ValidationFailed
from ..i18n import _
from ..permissions import can_manage_member
from ..realtime import disconnect_member
from . import exports

PLACEHOLDER_FIRST = "Ehemaliges"
PLACEHOLDER_LAST = "Mitglied"


def polls_past_challenge(now: datetime) -> Select[int]:
    """Polls closed longer ago than the challenge period: who took part may go."""
    days = current_app.config["RETENTION_CHALLENGE_DAYS"]
    return select(Poll.id).where(
        Poll.closed_at.is_not(None), Poll.closed_at < now - timedelta(days=days)
    )


def check_password(member: Member, password: str) -> None:
    if not password_matches(member, password):
        raise ValidationFailed(
            _("Das Passwort stimmt nicht."),
            fields={"password": _("Das Passwort stimmt nicht.")},
        )


def delete_account(
    session: Session,
    actor: Member,
    member: Member,
    *,
    delete_texts: bool,
    password: str | None = None,
) -> None:
    """Delete a member's account: by the member (who re-enters the password) or by
    a board that manages them. One transaction; audit-logged without the name."""
    own = actor.id == member.id
    if member.deleted_at is not None or (
        not own and not can_manage_member(actor, member)
    ):
        raise NotFound()
    if own:
        check_password(member, password or "")
    now = utcnow()
    mine = member.id
    removed_posts: list[int] = []
    if delete_texts:
        removed_posts = list(
            session.scalars(select(Post.id).where(Post.author_id == mine))
        )
        for start in range(0, len(removed_posts), 500):
            chunk = removed_posts[start : start + 500]
            session.execute(delete(PostRevision).where(PostRevision.post_id.in_(chunk)))
            session.execute(
                update(Post)
                .where(Post.id.in_(chunk), Post.deleted_at.is_(None))
                .values(deleted_at=now)
            )
            session.execute(
                update(Post).where(Post.id.in_(chunk)).values(body="", body_html="")
            )
        for hook in current_app.config.get("ERASURE_HOOKS", []):
            hook(session, removed_posts)
    # What they wrote stays (unless removed above), signed by no one.
    session.execute(update(Post).where(Post.author_id == mine).values(author_id=None))
    session.execute(
        update(Thread).where(Thread.author_id == mine).values(author_id=None)
    )
    session.execute(
        update(PostReport)
        .where(PostReport.reporter_id == mine)
        .values(reporter_id=None)
    )
    for model in (
        Role,
        ApiToken,
        LoginSession,
        OneTimeLink,
        Notification,
        NoticeAcknowledgement,
        ThreadRead,
        ThreadSubscription,
        ForumSubscription,
        EmailMute,
        PollKeyShare,  # a share they picked up is theirs; the list names them no more
    ):
        session.execute(delete(model).where(model.member_id == mine))
    # Taking part in a poll still open or in its challenge period is kept until
    # `ortsverein retention` removes it with everyone else's.
    past = polls_past_challenge(now)
    for ticks in (Participation, PaperVoter):
        session.execute(
            delete(ticks).where(ticks.member_id == mine, ticks.poll_id.in_(past))
        )
    exports.remove(
        session,
        list(session.scalars(select(DataExport).where(DataExport.member_id == mine))),
        current_app.config["INSTANCE_PATH"],
    )
    org = member.home_branch
    audit.record(
        session,
        actor,
        "member.deleted",
        organisation=org,
        target=member,
        by="self" if own else "board",
        texts_deleted=delete_texts,
    )
    member.first_name = PLACEHOLDER_FIRST
    member.last_name = PLACEHOLDER_LAST
    member.email = f"geloescht-{mine}@ortsverein.invalid"
    member.membership_number = f"geloescht-{mine}"
    member.password_hash = None
    member.active = False
    member.session_version += 1
    member.totp_secret = None
    member.totp_enabled = False
    member.totp_last_step = None
    member.locale = None
    member.gender = None
    member.notify_by_email = False
    member.digest_by_email = False
    member.last_digest_at = None
    member.calendar_token_hash = None  # the feed's URL answers 404 from now on
    member.invited_at = None
    member.activated_at = None
    member.last_login_at = None
    member.deleted_at = now
    session.flush()
    # Every entry that named them, this one included, no longer does.
    audit.pseudonymise(session, member_id=mine)
    session.commit()
    disconnect_member(mine)
