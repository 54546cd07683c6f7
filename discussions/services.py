"""Forum use cases for members and organisers: forums, threads and new posts (what a
member does to an existing post is in post_actions.py). Each takes a session and
plain values, checks permission and state, commits, then publishes."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Forum,
    ForumSubscription,
    Member,
    Organisation,
    Post,
    Thread,
    ThreadSubscription,
    utcnow,
)
from ortsverein import audit, db_outage
from ortsverein.errors import Forbidden, ValidationFailed
from ortsverein.i18n import _
from ortsverein.markdown import render
from ortsverein.notifications import Pending, deliver, notify
from ortsverein.pagination import Page, paginate
from ortsverein.permissions import members_who_can_see_clause

from . import live, mentions, search
from .access import can_join_thread as can_join_thread
from .access import can_moderate, get_forum, get_thread, insert_ignore
from .access import visible_forums_query as visible_forums_query
from .errors import ForumArchived, ThreadLocked
from .live import post_payload as post_payload
from .reading import unread_followed as unread_followed

# Later features (meetings, motions) use discussions through this module only: the
# use cases below, and the re-exports above for listing forums, checking that a
# member may read a thread, and live posts.

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
MAX_BODY = 50_000


def page_of(number: int) -> int:
    """The page of a thread on which post `number` stands (stable: posts are never
    removed, only marked deleted or hidden)."""
    return (max(number, 1) - 1) // POSTS_PER_PAGE + 1


# Control characters other than tab and line breaks mean nothing in a post, and
# \x02/\x03 are the search excerpts' highlight markers.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(
    value: str | None, field: str, *, maximum: int, errors: dict[str, str]
) -> str:
    value = _CONTROL.sub("", value or "").strip()
    if not value:
        errors[field] = _("Bitte ausfüllen.")
    elif len(value) > maximum:
        errors[field] = _("Höchstens %(n)d Zeichen.", n=maximum)
    return value


def retitle(session: Session, thread: Thread, title: str) -> None:
    """A thread's new title, in the caller's transaction; search finds the thread by
    it from now on (the title is indexed with the opening post)."""
    thread.title = title
    first = session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.number == 1)
    )
    if first is not None and first.visible:
        search.index_post(session, first.id, title, first.body)


def raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(
            _("Bitte korrigiere die markierten Angaben."), fields=errors
        )


def require_moderator(member: Member, forum: Forum) -> None:
    if not can_moderate(member, forum.organisation):
        raise Forbidden(_("Das dürfen nur Moderatorinnen und Moderatoren."))


# --- forums ---------------------------------------------------------------------


def save_forum(
    session: Session,
    actor: Member,
    *,
    forum_id: int | None = None,
    org_id: int | None = None,
    name: str,
    description: str,
    position: int = 0,
    archived: bool = False,
) -> Forum:
    """Organisers of an organisation create and change its forums."""
    forum = stage_forum(
        session,
        actor,
        forum_id=forum_id,
        org_id=org_id,
        name=name,
        description=description,
        position=position,
        archived=archived,
    )
    session.commit()
    return forum


def stage_forum(
    session: Session,
    actor: Member,
    *,
    forum_id: int | None = None,
    org_id: int | None = None,
    name: str,
    description: str,
    position: int = 0,
    archived: bool = False,
) -> Forum:
    """The writes of save_forum in the caller's transaction (a motion book opens
    its forum with the book); the caller commits."""
    errors: dict[str, str] = {}
    name = clean_text(name, "name", maximum=200, errors=errors)
    description = (description or "").replace("\x00", "").strip()[:2000]
    if forum_id is not None:
        forum = get_forum(session, actor, forum_id)
        require_moderator(actor, forum)
        action = "forum.updated"
    else:
        org = session.get(Organisation, org_id) if org_id else None
        if org is None or not can_moderate(actor, org):
            errors["org"] = _("Hier darfst du kein Forum anlegen.")
        raise_errors(errors)
        forum = Forum(organisation=org)
        session.add(forum)
        action = "forum.created"
    raise_errors(errors)
    forum.name, forum.description = name, description
    forum.position, forum.archived = max(0, min(position, 10_000)), archived
    session.flush()
    audit.record(
        session,
        actor,
        action,
        organisation=forum.organisation,
        target=forum,
        name=name,
        archived=archived,
    )
    return forum


# --- threads and posts ----------------------------------------------------------


def list_threads(
    session: Session, forum: Forum, page: int, per_page: int = THREADS_PER_PAGE
) -> Page:
    """Pinned threads first, then by last post."""
    stmt = (
        select(Thread)
        .where(Thread.forum_id == forum.id)
        .options(joinedload(Thread.author))
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def check_writable(member: Member, thread: Thread) -> None:
    if thread.forum.archived:
        raise ForumArchived(_("Dieses Forum ist archiviert."))
    if thread.locked and not can_moderate(member, thread.forum.organisation):
        raise ThreadLocked(_("Dieses Thema ist geschlossen."))


def _add_post(session: Session, author: Member, thread: Thread, body: str) -> Post:
    """Number the post under the thread's row lock and keep the counters."""
    now = utcnow()
    number = session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1, last_post_at=now)
        .returning(Thread.post_count)
    ).scalar_one()
    post = Post(
        thread_id=thread.id,
        number=number,
        author_id=author.id,
        author=author,
        body=body,
        body_html=render(body),
        created_at=now,
    )
    session.add(post)
    session.flush()
    # The counters were raised in SQL; tell the loaded object without another write.
    set_committed_value(thread, "post_count", number)
    set_committed_value(thread, "last_post_at", now)
    thread.last_post_id = post.id
    session.execute(
        update(Forum)
        .where(Forum.id == thread.forum_id)
        .values(post_count=Forum.post_count + 1, last_post_at=now)
    )
    search.index_post(session, post.id, thread.title if number == 1 else "", body)
    insert_ignore(session, ThreadSubscription, member_id=author.id, thread_id=thread.id)
    return post


def _notify_post(
    session: Session, author: Member, thread: Thread, post: Post, *, new_thread: bool
) -> list[Pending]:
    """Mentions, replies to thread subscribers, new threads to forum subscribers; in
    the caller's transaction. Returns what to deliver after the commit."""
    org = thread.forum.organisation
    url = url_for("discussions.post", post_id=post.id)
    pending = []
    mentioned = mentions.resolve(session, post.body, org, author.id)
    if mentioned:
        who = select(Member.id).where(Member.id.in_(mentioned))
        pending.append((who, "mention", thread.title, url))
    if new_thread:
        subscribers = select(ForumSubscription.member_id).where(
            ForumSubscription.forum_id == thread.forum_id
        )
        kind = "new_thread"
    else:
        subscribers = select(ThreadSubscription.member_id).where(
            ThreadSubscription.thread_id == thread.id
        )
        kind = "reply"
    who = select(Member.id).where(
        Member.id.in_(subscribers),
        Member.id != author.id,
        Member.id.not_in(mentioned),
        Member.active.is_(True),
        members_who_can_see_clause(org),
    )
    pending.append((who, kind, thread.title, url))
    forum = thread.forum_id
    return [(w, k, s, u, notify(session, w, k, s, u, forum)) for w, k, s, u in pending]


def create_thread(
    session: Session, author: Member, forum_id: int, title: str, body: str
) -> Thread:
    """A member opens a thread with its first post in a forum they can see."""
    thread, pending = add_thread(session, author, forum_id, title, body)
    # As for a reply (create_post): announced from what is known before the
    # commit, and after all if the commit's answer is lost but it happened.
    payload, thread_id = live.thread_payload(thread), thread.id
    db_outage.commit_and_announce(
        session,
        f"thread {thread_id}",
        committed=lambda s: s.get(Thread, thread_id) is not None,
        announce=lambda: live.publish_thread_payload(payload),
    )
    with db_outage.after_commit(session, f"notifications of thread {thread_id}"):
        for args in pending:
            deliver(session, *args)
    return thread


def add_thread(
    session: Session, author: Member, forum_id: int, title: str, body: str
) -> tuple[Thread, list[Pending]]:
    """The writes of create_thread in the caller's transaction (a meeting opens its
    agenda items' threads with the meeting); the caller commits, then calls
    after_thread_commit with what this returned."""
    forum = get_forum(session, author, forum_id)
    if forum.archived:
        raise ForumArchived(_("Dieses Forum ist archiviert."))
    errors: dict[str, str] = {}
    title = clean_text(title, "title", maximum=200, errors=errors)
    body = clean_text(body, "body", maximum=MAX_BODY, errors=errors)
    raise_errors(errors)
    thread = Thread(forum=forum, author=author, title=title, post_count=0)
    session.add(thread)
    session.flush()
    session.execute(
        update(Forum)
        .where(Forum.id == forum.id)
        .values(thread_count=Forum.thread_count + 1)
    )
    post = _add_post(session, author, thread, body)
    return thread, _notify_post(session, author, thread, post, new_thread=True)


def after_thread_commit(
    session: Session, thread: Thread, pending: list[Pending]
) -> None:
    live.publish_thread_created(thread)
    for args in pending:
        deliver(session, *args)


def create_post(session: Session, author: Member, thread_id: int, body: str) -> Post:
    """A reply in a thread the member can see, unless it is locked or archived."""
    thread = get_thread(session, author, thread_id)
    check_writable(author, thread)
    errors: dict[str, str] = {}
    body = clean_text(body, "body", maximum=MAX_BODY, errors=errors)
    raise_errors(errors)
    post = _add_post(session, author, thread, body)
    pending = _notify_post(session, author, thread, post, new_thread=False)
    # Built before the commit: if the database goes away while committing, the
    # post may be saved all the same, and is then announced from what we know.
    payload = live.post_payload(post)
    post_id = post.id
    db_outage.commit_and_announce(
        session,
        f"post {post_id}",
        committed=lambda s: s.get(Post, post_id) is not None,
        announce=lambda: live.publish_payload("post_created", payload),
    )
    with db_outage.after_commit(session, f"notifications of post {post_id}"):
        for args in pending:
            deliver(session, *args)
    return post


def post_url(post: Post) -> str:
    """Where a post is read: its page of the thread, at the post."""
    page = page_of(post.number)
    return (
        url_for(
            "discussions.thread",
            thread_id=post.thread_id,
            page=page if page > 1 else None,
        )
        + f"#post-{post.id}"
    )


def first_unread(thread: Thread, last_read: int) -> int:
    """Number of the first post after last_read (or the last post when all read)."""
    if last_read >= thread.post_count:
        return max(thread.post_count, 1)
    return last_read + 1
