"""In-app notifications: what happened, for whom, and whether it was read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class Notification(Base):
    """Kind and subject are stored, not a sentence: the text is rendered in the
    reader's language when shown."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The forum a forum notification comes from, so a member can mute one forum's
    # email; None for polls and meetings.
    forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index("ix_notifications_member_id_read_at", "member_id", "read_at"),
    )


class EmailMute(Base):
    """A kind of notification (a topic such as "replies") or one forum's news that
    a member wants no email about; in-app notifications still come. A row per
    opt-out, so members who never changed anything have none."""

    __tablename__ = "email_mutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    # a topic of ortsverein.notifications.TOPICS, or "forum" with forum_id
    topic: Mapped[str] = mapped_column(String(20))
    # 0 for a topic mute (not NULL, so the unique constraint holds on every database)
    forum_id: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("member_id", "topic", "forum_id"),)
