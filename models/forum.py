"""Topic forums: forums of an organisation, threads, posts and what members do with
them (read markers, subscriptions, reactions, reports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.schema import SchemaItem

from .base import Base, UTCDateTime, utcnow
from .member import Member
from .organisation import Organisation

# Full-text search lives beside the models in database-specific objects the models do
# not describe: an FTS5 table on SQLite, a tsvector table with a GIN index on
# PostgreSQL. Migrations create them; the schema comparison skips them.
SEARCH_OBJECTS = ("posts_fts", "post_search")


def include_object(
    obj: SchemaItem,
    name: str | None,
    type_: str,
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    """Alembic filter: leave the search tables (and FTS5's shadow tables) alone."""
    if type_ == "table" and name and name.startswith(SEARCH_OBJECTS):
        return False
    if type_ == "index" and name and name.startswith("ix_post_search"):
        return False
    return True


class Forum(Base):
    """A forum is visible to the subtree of its organisation."""

    __tablename__ = "forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Thread(Base):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    forum_id: Mapped[int] = mapped_column(ForeignKey("forums.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Counters kept by the services so a listing needs no aggregate queries.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    forum: Mapped[Forum] = relationship()
    author: Mapped[Member | None] = relationship()

    __table_args__ = (
        Index("ix_threads_forum_listing", "forum_id", "pinned", "last_post_at"),
    )


class Post(Base):
    """A post; `number` counts from 1 within its thread and makes stable URLs."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # rendered once, on save
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    agree_count: Mapped[int] = mapped_column(Integer, default=0)

    thread: Mapped[Thread] = relationship()
    author: Mapped[Member | None] = relationship(foreign_keys=[author_id])

    __table_args__ = (UniqueConstraint("thread_id", "number"),)

    @property
    def visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class PostRevision(Base):
    """An earlier version of an edited post, for moderators."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when it was current


class Reaction(Base):
    """One "Zustimmung" per member and post."""

    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ThreadRead(Base):
    """How far a member has read a thread (the highest post number seen)."""

    __tablename__ = "thread_reads"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read: Mapped[int] = mapped_column(Integer, default=0)


class ThreadSubscription(Base):
    __tablename__ = "thread_subscriptions"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ForumSubscription(Base):
    __tablename__ = "forum_subscriptions"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    forum_id: Mapped[int] = mapped_column(
        ForeignKey("forums.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PostReport(Base):
    """A member's report of a post into the moderation queue."""

    __tablename__ = "post_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )

    post: Mapped[Post] = relationship()
    reporter: Mapped[Member | None] = relationship(foreign_keys=[reporter_id])
