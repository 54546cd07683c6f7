"""What a thread page reads: one page of posts as plain rows, and the member's
agreements with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member, Post, Reaction, Thread
from ortsverein.pagination import Page

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


def thread_page(session: Session, thread: Thread, page: int) -> Page:
    """One page of a thread by post number: an indexed range, no OFFSET scan."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    rows = session.execute(
        select(*_COLUMNS)
        .outerjoin(Member, Post.author_id == Member.id)
        .where(
            Post.thread_id == thread.id,
            Post.number >= first,
            Post.number < first + POSTS_PER_PAGE,
        )
        .order_by(Post.number)
    )
    posts = [PostRow(*row) for row in rows]
    return Page(posts, page, POSTS_PER_PAGE, thread.post_count)


def agreed_post_ids(session: Session, member: Member, posts: list) -> set[int]:
    """Which of these posts the member agreed with."""
    if not posts:
        return set()
    return set(
        session.scalars(
            select(Reaction.post_id).where(
                Reaction.member_id == member.id,
                Reaction.post_id.in_([p.id for p in posts]),
            )
        )
    )
