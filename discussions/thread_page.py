"""What a thread page reads: one page of posts as plain rows, and the member's
relation to them (read mark, subscription, agreements) in one round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, cast, exists, func, select
from sqlalchemy.orm import Session

from models import Member, Post, Reaction, Thread, ThreadRead, ThreadSubscription
from ortsverein.pagination import Page

from .reading import writer
from .services import POSTS_PER_PAGE

# The columns a page shows; not the Markdown source (quoting loads the post).
_COLUMNS = (
    Post.id,
    Post.number,
    Post.author_id,
    Post.body_html,
    Post.created_at,
    Post.edited_at,
    Post.deleted_at,
    Post.hidden_at,
    Post.hidden_reason,
    Post.agree_count,
    Member.first_name,
    Member.last_name,
)


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as a thread page shows it. Plain values, not an ORM object: building
    and tracking 20 posts and their authors in the session cost more than
    rendering them, and the page changes nothing."""

    id: int
    number: int
    author_id: int | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str | None
    agree_count: int
    first_name: str | None
    last_name: str | None

    @property
    def visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None

    @property
    def author_name(self) -> str | None:
        """Member.name, or None when the author's account is gone."""
        if self.first_name is None:
            return None
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class ThreadFacts:
    """What a thread page shows of its thread, as plain values: the page is then
    shared by every member who sees the same (ortsverein.shared_pages)."""

    id: int
    forum_id: int
    forum_name: str
    forum_archived: bool
    title: str
    pinned: bool
    locked: bool
    post_count: int

    @classmethod
    def of(cls, thread: Thread) -> ThreadFacts:
        forum = thread.forum
        return cls(
            thread.id,
            forum.id,
            forum.name,
            forum.archived,
            thread.title,
            thread.pinned,
            thread.locked,
            thread.post_count,
        )


# Built once: a page view only binds the thread and the range of post numbers.
_PAGE = (
    select(*_COLUMNS)
    .outerjoin(Member, Post.author_id == Member.id)
    .where(
        Post.thread_id == bindparam("thread_id"),
        Post.number >= bindparam("first"),
        Post.number < bindparam("first") + POSTS_PER_PAGE,
    )
    .order_by(Post.number)
)


def thread_page(session: Session, thread: Thread, page: int) -> Page:
    """One page of a thread by post number: an indexed range, no OFFSET scan."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    # Plain columns: the session's connection runs them without the ORM's layer.
    rows = session.connection().execute(_PAGE, {"thread_id": thread.id, "first": first})
    posts = [PostRow(*row) for row in rows]
    return Page(posts, page, POSTS_PER_PAGE, thread.post_count)


@dataclass(frozen=True, slots=True)
class Reader:
    """A member's relation to a thread page: how far they had read the thread,
    whether they follow it, and which posts of the page they agreed with."""

    last_read: int
    subscribed: bool
    agreed: frozenset[int]


_member = bindparam("member_id")
_thread = bindparam("thread_id")
_READER = select(
    select(ThreadRead.last_read)
    .where(ThreadRead.member_id == _member, ThreadRead.thread_id == _thread)
    .scalar_subquery(),
    exists()
    .where(
        ThreadSubscription.member_id == _member,
        ThreadSubscription.thread_id == _thread,
    )
    .label("subscribed"),
    select(func.aggregate_strings(cast(Reaction.post_id, String), ","))
    .where(
        Reaction.member_id == _member,
        Reaction.post_id.in_(bindparam("post_ids", expanding=True)),
    )
    .scalar_subquery(),
)


def reader(session: Session, member: Member, thread: Thread, posts: list) -> Reader:
    """The member's Reader of this page, in one round trip. Read marks that a page
    view left in memory and the writer has not stored yet count too."""
    last_read, subscribed, agreed = (
        session.connection()
        .execute(
            _READER,
            {
                "member_id": member.id,
                "thread_id": thread.id,
                "post_ids": [p.id for p in posts] or [0],
            },
        )
        .one()
    )
    return Reader(
        writer().seen(member.id, thread.id, last_read),
        bool(subscribed),
        frozenset(int(i) for i in agreed.split(",")) if agreed else frozenset(),
    )
