"""Moderation by organisers: pin, lock, move, hide with a reason, the report queue.
Every action is audit-logged."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from models import (
    Forum,
    Member,
    Organisation,
    Post,
    PostReport,
    PostRevision,
    Role,
    Thread,
    utcnow,
)
from ortsverein import audit, presence
from ortsverein.errors import Forbidden, NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.pagination import Page, paginate
from ortsverein.permissions import subtree_clause
from ortsverein.realtime import disconnect_member

from . import live, search
from .access import can_join_thread, get_forum, get_post, get_thread, moderated_orgs
from .services import clean_text, raise_errors, require_moderator, retitle


def _log(session, actor, action, thread: Thread, target, **details) -> None:
    audit.record(
        session,
        actor,
        action,
        organisation=thread.forum.organisation,
        target=target,
        **details,
    )


def set_thread_flags(
    session: Session,
    actor: Member,
    thread_id: int,
    *,
    pinned: bool | None = None,
    locked: bool | None = None,
) -> Thread:
    """Pin or unpin, lock or unlock a thread."""
    thread = get_thread(session, actor, thread_id)
    require_moderator(actor, thread.forum)
    if pinned is not None and pinned != thread.pinned:
        thread.pinned = pinned
        _log(
            session,
            actor,
            "thread.pinned" if pinned else "thread.unpinned",
            thread,
            thread,
        )
    if locked is not None and locked != thread.locked:
        thread.locked = locked
        _log(
            session,
            actor,
            "thread.locked" if locked else "thread.unlocked",
            thread,
            thread,
        )
    session.commit()
    return thread


def rename_thread(
    session: Session, actor: Member, thread_id: int, title: str
) -> Thread:
    """Moderators correct a thread's title; the old one stays in the audit log."""
    thread = get_thread(session, actor, thread_id)
    require_moderator(actor, thread.forum)
    errors: dict[str, str] = {}
    title = clean_text(title, "title", maximum=200, errors=errors)
    raise_errors(errors)
    if title != thread.title:
        old = thread.title
        retitle(session, thread, title)
        _log(session, actor, "thread.renamed", thread, thread, old=old, new=title)
        session.commit()
    return thread


def move_thread(
    session: Session, actor: Member, thread_id: int, forum_id: int
) -> Thread:
    """Move a thread to another forum; the moderator must moderate both."""
    thread = get_thread(session, actor, thread_id)
    require_moderator(actor, thread.forum)
    try:
        target = get_forum(session, actor, forum_id)
        require_moderator(actor, target)
    except (NotFound, Forbidden):  # one answer for both: ids leak nothing
        raise ValidationFailed(
            _("In dieses Forum kannst du nicht verschieben."),
            fields={"forum": _("In dieses Forum kannst du nicht verschieben.")},
        ) from None
    if target.id == thread.forum_id:
        return thread
    source = thread.forum
    for forum, sign in ((source, -1), (target, 1)):
        session.execute(
            update(Forum)
            .where(Forum.id == forum.id)
            .values(
                thread_count=Forum.thread_count + sign,
                post_count=Forum.post_count + sign * thread.post_count,
            )
        )
    thread.forum = target
    _log(
        session,
        actor,
        "thread.moved",
        thread,
        thread,
        from_forum=source.id,
        to_forum=target.id,
    )
    session.commit()
    _drop_readers_without_sight(session, thread)
    return thread


def _drop_readers_without_sight(session: Session, thread: Thread) -> None:
    """Readers in the thread's room who may not see the forum it moved to lose the
    room at once, as on a removed role: their sockets are told `access_changed`
    and closed, and joining again runs the permission check."""
    readers = presence.member_ids(f"thread:{thread.id}")
    if not readers:
        return
    members = session.scalars(
        select(Member)
        .where(Member.id.in_(sorted(readers)))
        .options(
            joinedload(Member.home_branch),
            selectinload(Member.roles).joinedload(Role.organisation),
        )
    ).all()
    for member in members:
        if not can_join_thread(session, member, thread.id):
            disconnect_member(member.id, "access_changed")


def hide_post(session: Session, actor: Member, post_id: int, reason: str) -> Post:
    """Hide a post with a reason its author sees; it leaves search at once."""
    post = get_post(session, actor, post_id)
    require_moderator(actor, post.thread.forum)
    errors: dict[str, str] = {}
    reason = clean_text(reason, "reason", maximum=500, errors=errors)
    if errors:
        raise ValidationFailed(errors["reason"], fields=errors)
    post.hidden_at, post.hidden_reason, post.hidden_by_id = utcnow(), reason, actor.id
    search.unindex_post(session, post.id)
    _resolve_reports(session, actor, post)
    _log(session, actor, "post.hidden", post.thread, post, reason=reason)
    live.commit_and_publish_post(
        session, "post_hidden", post, Post.hidden_at == post.hidden_at
    )
    return post


def unhide_post(session: Session, actor: Member, post_id: int) -> Post:
    post = get_post(session, actor, post_id)
    require_moderator(actor, post.thread.forum)
    if post.hidden_at is None:
        return post
    post.hidden_at = post.hidden_reason = post.hidden_by_id = None
    if post.deleted_at is None:
        title = post.thread.title if post.number == 1 else ""
        search.index_post(session, post.id, title, post.body)
    _log(session, actor, "post.unhidden", post.thread, post)
    live.commit_and_publish_post(
        session, "post_updated", post, Post.hidden_at.is_(None)
    )
    return post


def _resolve_reports(session: Session, actor: Member, post: Post) -> None:
    session.execute(
        update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id)
    )


def dismiss_report(session: Session, actor: Member, report_id: int) -> PostReport:
    """Close a report without hiding the post."""
    report = session.get(PostReport, report_id)
    if report is None:
        raise NotFound()
    post = get_post(session, actor, report.post_id)
    require_moderator(actor, post.thread.forum)
    if report.resolved_at is None:
        report.resolved_at, report.resolved_by_id = utcnow(), actor.id
        _log(session, actor, "report.dismissed", post.thread, post, report=report.id)
        session.commit()
    return report


def open_reports(
    session: Session, actor: Member, page: int, per_page: int = 20
) -> Page:
    """Unresolved reports in the forums the actor moderates, oldest first."""
    stmt = (
        select(PostReport)
        .join(Post, PostReport.post_id == Post.id)
        .join(Thread, Post.thread_id == Thread.id)
        .join(Forum, Thread.forum_id == Forum.id)
        .join(Organisation, Forum.organisation_id == Organisation.id)
        .where(PostReport.resolved_at.is_(None), subtree_clause(moderated_orgs(actor)))
        .options(
            joinedload(PostReport.post).joinedload(Post.thread),
            joinedload(PostReport.post).joinedload(Post.author),
            joinedload(PostReport.reporter),
        )
        .order_by(PostReport.id)
    )
    return paginate(session, stmt, page, per_page)


def revisions(session: Session, actor: Member, post_id: int) -> tuple[Post, list]:
    """Earlier versions of a post, newest first, for moderators."""
    post = get_post(session, actor, post_id)
    require_moderator(actor, post.thread.forum)
    rows = session.scalars(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.id.desc())
    ).all()
    return post, list(rows)
