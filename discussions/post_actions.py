"""What members do to an existing post: its author edits or deletes it, anyone who
sees it agrees with it or reports it to the moderators. Each takes a session and
plain values, checks permission and state, commits, then publishes."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import Member, Post, PostReport, PostRevision, Reaction, utcnow
from ortsverein import audit, db_outage
from ortsverein.db import rowcount
from ortsverein.errors import Forbidden
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.notifications import Pending, deliver, notify
from ortsverein.realtime import publish

from . import live, mentions, search
from .access import get_post, insert_ignore
from .errors import ForumArchived, PostGone
from .services import MAX_BODY, check_writable, clean_text, raise_errors, retitle


def _own_live_post(session: Session, member: Member, post_id: int) -> Post:
    post = get_post(session, member, post_id)
    check_editable(member, post)
    return post


def check_editable(member: Member, post: Post) -> None:
    """Only its author edits or deletes a post, while it is shown and its thread
    takes posts; otherwise the error says which of these is not the case."""
    if post.author_id != member.id:
        raise Forbidden(_("Nur die Autorin oder der Autor darf das."))
    if not post.visible:
        raise PostGone(_("Dieser Beitrag ist nicht mehr sichtbar."))
    check_writable(member, post.thread)


def edit_post(
    session: Session, member: Member, post_id: int, body: str, title: str | None = None
) -> Post:
    """Authors edit their posts; the earlier version is kept for moderators. The
    opening post's author may correct the thread's title with it (`title`)."""
    post = _own_live_post(session, member, post_id)
    errors: dict[str, str] = {}
    body = clean_text(body, "body", maximum=MAX_BODY, errors=errors)
    if title is not None and post.number == 1:
        title = clean_text(title, "title", maximum=200, errors=errors)
    raise_errors(errors)
    new_title = (
        title if post.number == 1 and title not in (None, post.thread.title) else None
    )
    if body == post.body:
        if new_title is not None:
            retitle(session, post.thread, new_title)
            session.commit()
        return post
    if new_title is not None:
        post.thread.title = new_title  # indexed with the new body below
    org = post.thread.forum.organisation
    before = set(mentions.resolve(session, post.body, org, member.id))
    session.add(
        PostRevision(
            post_id=post.id,
            body=post.body,
            created_at=post.edited_at or post.created_at,
        )
    )
    post.body, post.body_html, post.edited_at = body, render(body), utcnow()
    title = post.thread.title if post.number == 1 else ""
    search.index_post(session, post.id, title, body)
    # Members the edit mentions for the first time are told, as for a new post;
    # those mentioned before are not told again.
    added = [
        m for m in mentions.resolve(session, body, org, member.id) if m not in before
    ]
    pending: list[Pending] = []
    if added:
        who = select(Member.id).where(Member.id.in_(added))
        url = url_for("discussions.post", post_id=post.id)
        subject = post.thread.title
        pending.append(
            (
                who,
                "mention",
                subject,
                url,
                notify(session, who, "mention", subject, url, post.thread.forum_id),
            )
        )
    live.commit_and_publish_post(
        session, "post_updated", post, Post.edited_at == post.edited_at
    )
    for args in pending:
        deliver(session, *args)
    return post


def delete_post(session: Session, member: Member, post_id: int) -> Post:
    """Soft deletion by the author: the place in the thread stays, marked deleted."""
    post = _own_live_post(session, member, post_id)
    post.deleted_at = utcnow()
    search.unindex_post(session, post.id)
    live.commit_and_publish_post(
        session, "post_hidden", post, Post.deleted_at.is_not(None)
    )
    return post


def toggle_agreement(session: Session, member: Member, post_id: int) -> Post:
    """One "Zustimmung" per member and post; a second click takes it back."""
    return set_agreement(session, member, post_id, None)


def set_agreement(
    session: Session, member: Member, post_id: int, agree: bool | None
) -> Post:
    """Agree with a visible post of an open forum, never with one's own; `agree`
    None toggles, True and False set it (again: nothing changes)."""
    post = get_post(session, member, post_id)
    if not post.visible:
        raise PostGone(_("Dieser Beitrag ist nicht mehr sichtbar."))
    if post.thread.forum.archived:
        raise ForumArchived(_("Dieses Forum ist archiviert."))
    if post.author_id == member.id:
        raise Forbidden(_("Eigenen Beiträgen kannst du nicht zustimmen."))
    removed = 0
    if agree is not True:
        removed = rowcount(
            session.execute(
                delete(Reaction).where(
                    Reaction.post_id == post.id, Reaction.member_id == member.id
                )
            )
        )
    agreed = agree is True or (agree is None and not removed)
    if agreed:
        insert_ignore(session, Reaction, post_id=post.id, member_id=member.id)
    post.agree_count = session.scalars(
        select(func.count()).select_from(Reaction).where(Reaction.post_id == post.id)
    ).one()
    payload = {
        "thread_id": post.thread_id,
        "post_id": post.id,
        "agree_count": post.agree_count,
    }
    key = (post.id, member.id)
    db_outage.commit_and_announce(
        session,
        f"agreement with post {post.id}",
        committed=lambda s: (s.get(Reaction, key) is not None) == agreed,
        announce=lambda: publish(
            "post_reaction", payload, f"thread:{payload['thread_id']}"
        ),
    )
    return post


def agrees(session: Session, member: Member, post: Post) -> bool:
    """Whether the member agrees with the post."""
    return (
        session.scalar(
            select(Reaction.post_id).where(
                Reaction.post_id == post.id, Reaction.member_id == member.id
            )
        )
        is not None
    )


def report_post(
    session: Session, member: Member, post_id: int, reason: str
) -> PostReport:
    """A member reports a post into the moderation queue of its forum: once while
    the report is open (a second submit adds nothing), never their own post, and
    only a post the thread still shows."""
    post = get_post(session, member, post_id)
    if post.author_id == member.id:
        raise Forbidden(_("Eigene Beiträge kannst du nicht melden."))
    if not post.visible:
        raise PostGone(_("Dieser Beitrag ist nicht mehr sichtbar."))
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", maximum=500, errors=errors)
    raise_errors(errors)
    open_report = session.scalar(
        select(PostReport).where(
            PostReport.post_id == post.id,
            PostReport.reporter_id == member.id,
            PostReport.resolved_at.is_(None),
        )
    )
    if open_report is not None:
        return open_report
    report = PostReport(post=post, reporter_id=member.id, reason=reason)
    session.add(report)
    session.flush()
    audit.record(
        session,
        member,
        "post.reported",
        organisation=post.thread.forum.organisation,
        target=post,
    )
    session.commit()
    return report
