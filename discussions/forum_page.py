"""A forum page's list of threads as HTML, each row rendered once and then remembered,
and what the forum pages show of forums as plain values (so the forum index, and a
forum page around its rows, are shared pages: ortsverein.shared_pages). A forum page
reads in two round trips, as a thread page does: the forum with the member's relation
to it, then one page of threads.

A row looks the same to every member who has the same number of unread posts in the
thread, in one language and time zone: the title, the badges, the author's name, the
number of replies and the time of the last post. So its HTML is remembered per
process under a key made of all of those, the relative words of its time included
("vor 5 Minuten"): a new post, a renamed thread or author, a post read, and the
passing minutes make a new key, and nothing has to be invalidated. The rows hold no
form and no secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup
from sqlalchemy import BindParameter, bindparam, exists, select
from sqlalchemy.orm import Session

from models import Forum, ForumSubscription, Member, Organisation, Thread, ThreadRead
from ortsverein.app_object import app_object
from ortsverein.caches import Cache, kept_unless_debug
from ortsverein.pagination import Page
from ortsverein.templating import relative_time

from .reading import writer
from .thread_page import OrgRef, visible_row

ROWS_KEPT = 20_000  # per process; about 1 KiB each with their key
# Key: the row's facts, the member's unread count, the relative words of the last
# post's time, language, time zone and script root; value: the row's <tr>. Safe:
# the macro (templates/discussions/_thread_row.html) reads nothing but its
# arguments, and everything it is given is in the key.
ROWS = Cache("thread_rows", ROWS_KEPT, per_app=True)
# The row macro, compiled per language (its fixed texts are translated in).
MACROS = Cache("thread_rows.macros", 16, per_app=True)


@dataclass(frozen=True, slots=True)
class ForumFacts:
    """What a forum page shows of its forum."""

    id: int
    name: str
    organisation_name: str
    archived: bool
    description: str


@dataclass(frozen=True, slots=True)
class ForumCard:
    """A forum as the forum index shows it. `last_post_words` is the relative time
    of its last post ("vor 5 Minuten"), which the page shows: a shared page is keyed
    by its values, so the words are one of them, and a page whose words have changed
    is rendered anew rather than served with the old ones."""

    id: int
    name: str
    organisation_name: str
    archived: bool
    description: str
    thread_count: int
    post_count: int
    last_post_at: datetime | None
    last_post_words: str

    @classmethod
    def of(cls, forum: Forum) -> ForumCard:
        return cls(
            forum.id,
            forum.name,
            forum.organisation.name,
            forum.archived,
            forum.description or "",
            forum.thread_count,
            forum.post_count,
            forum.last_post_at,
            relative_time(forum.last_post_at),
        )


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """A thread as a row of its forum's list shows it. Plain values, not an ORM
    object: loading 25 threads with their authors as objects cost more than
    rendering the page."""

    id: int
    title: str
    pinned: bool
    locked: bool
    author_name: str | None  # None: the author's account is gone
    post_count: int
    last_post_at: datetime


_forum: BindParameter[int] = bindparam("forum_id")
_member: BindParameter[int] = bindparam("member_id")


@dataclass(frozen=True, slots=True)
class OpenForum:
    """A forum as its page needs it, with the member's relation to it: whether they
    follow it. `thread_count` is the forum's own counter, which every new and moved
    thread changes in its transaction (threads are never deleted): counting the
    threads for the page numbers cost a round trip of its own."""

    facts: ForumFacts
    organisation: OrgRef
    thread_count: int
    subscribed: bool


# Built once: the forum, its organisation and whether the member follows it, in one
# round trip of plain columns.
_OPEN = (
    select(
        Forum.id,
        Forum.name,
        Organisation.name,
        Forum.archived,
        Forum.description,
        Organisation.id,
        Organisation.path,
        Forum.thread_count,
        exists()
        .where(
            ForumSubscription.member_id == _member,
            ForumSubscription.forum_id == Forum.id,
        )
        .label("subscribed"),
    )
    .join(Organisation, Forum.organisation_id == Organisation.id)
    .where(Forum.id == _forum)
)


def open_forum(session: Session, member: Member, forum_id: int) -> OpenForum:
    """The forum if the member may see it (as access.get_forum decides), else
    NotFound."""
    params = {"forum_id": forum_id, "member_id": member.id}
    row, organisation = visible_row(session, _OPEN, params, member, 5)
    fid, name, org_name, archived, description = row[:5]
    return OpenForum(
        ForumFacts(fid, name, org_name, archived, description or ""),
        organisation,
        row[7],
        bool(row[8]),
    )


# Built once: a page of threads, pinned first, then by last post (as
# services.list_threads orders them), with their authors' names and how far the
# member has read each, in one round trip of plain columns.
_ROWS = (
    select(
        Thread.id,
        Thread.title,
        Thread.pinned,
        Thread.locked,
        Member.id,
        Member.first_name,
        Member.last_name,
        Thread.post_count,
        Thread.last_post_at,
        select(ThreadRead.last_read)
        .where(ThreadRead.member_id == _member, ThreadRead.thread_id == Thread.id)
        .scalar_subquery(),
    )
    .outerjoin(Member, Member.id == Thread.author_id)
    .where(Thread.forum_id == _forum)
    .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def forum_threads(
    session: Session, opened: OpenForum, member_id: int, page: int, per_page: int
) -> tuple[Page, dict[int, int]]:
    """A page of the opened forum's threads as ThreadRows, and thread id -> how many
    of its posts the member has read (read marks still in memory count too)."""
    forum_id = opened.facts.id
    rows = session.execute(
        _ROWS,
        {
            "forum_id": forum_id,
            "member_id": member_id,
            "limit": per_page,
            "offset": (page - 1) * per_page,
        },
    ).all()
    items, reads = [], {}
    pending = writer()
    for tid, title, pinned, locked, author_id, first, last, count, at, read in rows:
        name = f"{first} {last}" if author_id is not None else None  # Member.name
        items.append(ThreadRow(tid, title, pinned, locked, name, count, at))
        reads[tid] = pending.seen(member_id, tid, read)
    return Page(items, page, per_page, opened.thread_count), reads


def thread_rows_html(rows: Iterable[ThreadRow], reads: Mapping[int, int]) -> Markup:
    """The <tr> of each thread, for a member who has read `reads[thread id]` posts."""
    app = app_object()
    locale = str(get_locale())
    key_rest = (locale, str(get_timezone()), request.script_root)
    macro = kept_unless_debug(MACROS, locale, _macro, app, app=app)
    parts = []
    for row in rows:
        unread = max(0, row.post_count - reads.get(row.id, 0))
        key = (row, unread, relative_time(row.last_post_at), *key_rest)
        parts.append(
            kept_unless_debug(ROWS, key, _row_html, macro, row, unread, app=app)
        )
    return Markup("\n  ").join(parts)


def _row_html(macro, row: ThreadRow, unread: int) -> Markup:
    return Markup(macro(row, unread))  # noqa: S704  (the macro escapes)


def _macro(app):
    return app.jinja_env.get_template("discussions/_thread_row.html").module.thread_row
