"""What a thread page reads, as plain values in two round trips: the thread with the
member's relation to it (read mark, subscription), then one page of posts with the
member's agreements; and a post quoted into the reply box."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, Row, bindparam, exists, select
from sqlalchemy.orm import Session

from models import (
    Forum,
    Member,
    Organisation,
    Post,
    Reaction,
    Thread,
    ThreadRead,
    ThreadSubscription,
)
from ortsverein.errors import NotFound
from ortsverein.i18n import _
from ortsverein.pagination import Page
from ortsverein.permissions import can_see_org

from .live import author_name
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


@dataclass(frozen=True, slots=True)
class OrgRef:
    """The thread's organisation as the permission checks read it."""

    id: int
    path: str


@dataclass(frozen=True, slots=True)
class OpenThread:
    """A thread as its page needs it, with the member's relation to it: how far
    they had read it (read marks still in memory count too) and whether they
    follow it."""

    facts: ThreadFacts
    organisation: OrgRef
    last_read: int
    subscribed: bool


_member: BindParameter[int] = bindparam("member_id")
_thread: BindParameter[int] = bindparam("thread_id")
# Built once: the thread, its forum and organisation and the member's relation to
# it in one round trip of plain columns.
_OPEN = (
    select(
        Thread.id,
        Forum.id,
        Forum.name,
        Forum.archived,
        Thread.title,
        Thread.pinned,
        Thread.locked,
        Thread.post_count,
        Organisation.id,
        Organisation.path,
        select(ThreadRead.last_read)
        .where(ThreadRead.member_id == _member, ThreadRead.thread_id == Thread.id)
        .scalar_subquery(),
        exists()
        .where(
            ThreadSubscription.member_id == _member,
            ThreadSubscription.thread_id == Thread.id,
        )
        .label("subscribed"),
    )
    .join(Forum, Thread.forum_id == Forum.id)
    .join(Organisation, Forum.organisation_id == Organisation.id)
    .where(Thread.id == _thread)
)


def visible_row(
    session: Session, statement, params: dict, member: Member, org_at: int
) -> tuple[Row, OrgRef]:
    """The one row of a page's opening statement, and its organisation (the columns
    `org_at` and after: id and path), if the member may see that organisation; else
    NotFound, the same for a missing row as for a hidden one."""
    row = session.connection().execute(statement, params).one_or_none()
    if row is None:
        raise NotFound()
    organisation = OrgRef(row[org_at], row[org_at + 1])
    if not can_see_org(member, organisation):
        raise NotFound()
    return row, organisation


def open_thread(session: Session, member: Member, thread_id: int) -> OpenThread:
    """The thread if the member may see it (as access.get_thread decides), else
    NotFound."""
    params = {"thread_id": thread_id, "member_id": member.id}
    row, organisation = visible_row(session, _OPEN, params, member, 8)
    return OpenThread(
        ThreadFacts(*row[:8]),
        organisation,
        writer().seen(member.id, thread_id, row[10]),
        bool(row[11]),
    )


# Built once: a page view only binds the thread, the range of post numbers and the
# member (whether they agreed with each post).
_PAGE = (
    select(
        *_COLUMNS,
        exists()
        .where(Reaction.post_id == Post.id, Reaction.member_id == _member)
        .label("agreed"),
    )
    .outerjoin(Member, Post.author_id == Member.id)
    .where(
        Post.thread_id == _thread,
        Post.number >= bindparam("first"),
        Post.number < bindparam("first") + POSTS_PER_PAGE,
    )
    .order_by(Post.number)
)


def _posts_and_agreed(rows) -> tuple[list[PostRow], frozenset[int]]:
    posts, agreed = [], set()
    for *columns, agreed_here in rows:
        post = PostRow(*columns)
        posts.append(post)
        if agreed_here:
            agreed.add(post.id)
    return posts, frozenset(agreed)


def thread_page(
    session: Session, member: Member, thread: ThreadFacts, page: int
) -> tuple[Page, frozenset[int]]:
    """One page of a thread by post number (an indexed range, no OFFSET scan),
    and the ids of its posts the member agreed with."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    # Plain columns: the session's connection runs them without the ORM's layer.
    rows = session.connection().execute(
        _PAGE, {"thread_id": thread.id, "first": first, "member_id": member.id}
    )
    posts, agreed = _posts_and_agreed(rows)
    return Page(posts, page, POSTS_PER_PAGE, thread.post_count), agreed


# Built once: given posts of a thread by id (a live page asks for those that
# arrived or changed), with whether the member agreed with each.
_BY_ID = (
    select(
        *_COLUMNS,
        exists()
        .where(Reaction.post_id == Post.id, Reaction.member_id == _member)
        .label("agreed"),
    )
    .outerjoin(Member, Post.author_id == Member.id)
    .where(Post.thread_id == _thread, Post.id.in_(bindparam("ids", expanding=True)))
    .order_by(Post.number)
)


def posts_by_id(
    session: Session, member: Member, thread: ThreadFacts, ids: Collection[int]
) -> tuple[list[PostRow], frozenset[int]]:
    """The posts of `thread` among `ids` (others are left out), by number, and the
    ids of those the member agreed with."""
    if not ids:
        return [], frozenset()
    rows = session.connection().execute(
        _BY_ID, {"thread_id": thread.id, "ids": list(ids), "member_id": member.id}
    )
    return _posts_and_agreed(rows)


def quote_text(post) -> str:
    """A Markdown quote of a post for the reply box."""
    lines = post.body.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return _("%(name)s schrieb:", name=author_name(post)) + "\n" + quoted + "\n\n"
