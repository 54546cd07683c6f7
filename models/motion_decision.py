"""Decisions on motions and amendments: the vote that decided one (a member poll
online, or a live vote in a meeting), with its vote record and the rule cited;
and the agenda items of meetings that list motions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .meeting import AgendaItem
from .member import Member
from .motion import Motion
from .motion_amendment import MotionAmendment


class MotionDecision(Base):
    """One vote on a motion (`amendment_id` empty) or on one of its amendments.
    The vote is a poll (`poll_id`); once it is sealed its outcome ("adopted" or
    "rejected") and yes/no/abstain counts are copied here with the rule, so the
    record stands even if the poll is deleted later."""

    __tablename__ = "motion_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), index=True
    )
    amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("motion_amendments.id", ondelete="CASCADE"), index=True
    )
    poll_id: Mapped[int | None] = mapped_column(
        ForeignKey("polls.id", ondelete="SET NULL"), unique=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))  # adopted / rejected
    yes: Mapped[int | None] = mapped_column(Integer)
    no: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    majority: Mapped[str] = mapped_column(String(40), default="")
    # The rule as cited: the majority in words, the rule's name and its statute.
    rule: Mapped[str] = mapped_column(String(500), default="")

    motion: Mapped[Motion] = relationship()
    amendment: Mapped[MotionAmendment | None] = relationship()
    started_by: Mapped[Member | None] = relationship()


class MotionAgendaEntry(Base):
    """A motion listed on an agenda item of a meeting, to be debated and voted on
    there (an item can list several motions, in order)."""

    __tablename__ = "motion_agenda_entries"
    __table_args__ = (UniqueConstraint("agenda_item_id", "motion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    agenda_item: Mapped[AgendaItem] = relationship()
    motion: Mapped[Motion] = relationship()
