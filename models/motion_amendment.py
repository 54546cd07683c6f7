"""Amendments (Änderungsanträge): a member's replacement for a line range of one
version of a motion's text, and what the motion committee made of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .member import Member
from .motion import Motion


class AmendmentStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # eingereicht
    ACCEPTED = "accepted"  # übernommen (by the committee), to be merged
    REJECTED = "rejected"  # abgelehnt
    MERGED = "merged"  # in a new version of the motion
    WITHDRAWN = "withdrawn"  # zurückgezogen by its submitter before a vote on it


class MotionAmendment(Base):
    """Lines `first_line`..`last_line` of version `version` of a motion, replaced
    by `text`. Numbered per motion: Ä1, Ä2, ..."""

    __tablename__ = "motion_amendments"
    __table_args__ = (UniqueConstraint("motion_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    first_line: Mapped[int] = mapped_column(Integer)
    last_line: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text, default="")
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    status: Mapped[AmendmentStatus] = mapped_column(
        Enum(
            AmendmentStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AmendmentStatus.SUBMITTED,
    )
    # The version of the motion this amendment went into, once merged.
    merged_into: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    motion: Mapped[Motion] = relationship()
    submitter: Mapped[Member | None] = relationship()
