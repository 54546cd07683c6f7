"""Motions (Anträge): motion books of an organisation, the motions in them, their
kept text versions, supporters and the history of their status."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .forum import Forum, Thread
from .meeting import Meeting
from .member import Member
from .organisation import Organisation


def _enum(cls: type[enum.Enum], length: int = 30) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class Occasion(enum.StrEnum):
    """What a motion book collects motions for."""

    STANDING = "standing"  # always open (a standing motion book of the branch)
    MEETING = "meeting"  # a meeting of the organisation
    CONFERENCE = "conference"  # a conference of a higher level (free title)


class MotionStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # eingereicht
    ADMITTED = "admitted"  # zugelassen
    INADMISSIBLE = "inadmissible"  # unzulässig
    RECOMMENDED = "recommended"  # Empfehlung der Antragskommission
    ADOPTED = "adopted"  # beschlossen
    REJECTED = "rejected"  # abgelehnt
    REFERRED = "referred"  # überwiesen
    WITHDRAWN = "withdrawn"  # zurückgezogen


class Recommendation(enum.StrEnum):
    """The motion committee's recommendation (with RECOMMENDED)."""

    ACCEPT = "accept"  # Annahme
    REJECT = "reject"  # Ablehnung
    ACCEPT_MODIFIED = "accept_modified"  # Annahme in geänderter Fassung
    REFER = "refer"  # Überweisung an … (a free target)


class MotionBook(Base):
    """An organisation's book of motions for one occasion, with its deadline
    (Antragsschluss) and who may submit; the book's organisers are its motion
    committee."""

    __tablename__ = "motion_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    occasion: Mapped[Occasion] = mapped_column(_enum(Occasion, 20))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    conference_title: Mapped[str] = mapped_column(String(200), default="")
    conference_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    # Antragsschluss, stored in UTC; forms and messages show it in `timezone`.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # Who may submit: members of the subtree, boards of subordinate branches (in
    # their branch's name), and working groups named here, one per line.
    members_may_submit: Mapped[bool] = mapped_column(Boolean, default=True)
    boards_may_submit: Mapped[bool] = mapped_column(Boolean, default=True)
    working_groups: Mapped[str] = mapped_column(Text, default="")
    supporters_needed: Mapped[int] = mapped_column(Integer, default=0)
    # Motions are numbered prefix + running number: A1, A2, ...
    prefix: Mapped[str] = mapped_column(String(10), default="A")
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    forum_id: Mapped[int | None] = mapped_column(
        ForeignKey("forums.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    conference_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[conference_organisation_id]
    )
    meeting: Mapped[Meeting | None] = relationship()
    forum: Mapped[Forum | None] = relationship()
    created_by: Mapped[Member | None] = relationship()
    categories: Mapped[list[MotionCategory]] = relationship(
        back_populates="book",
        cascade="all, delete-orphan",
        order_by="MotionCategory.position",
    )
    motions: Mapped[list[Motion]] = relationship(
        back_populates="book", order_by="Motion.sequence"
    )


class MotionCategory(Base):
    """A topic area of a motion book (Sachgebiet)."""

    __tablename__ = "motion_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("motion_books.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    book: Mapped[MotionBook] = relationship(back_populates="categories")


class Motion(Base):
    """A motion in a book: its current text is its latest version's."""

    __tablename__ = "motions"
    __table_args__ = (
        UniqueConstraint("book_id", "number"),
        # A motion is forwarded to a given book once.
        UniqueConstraint("book_id", "forwarded_from_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("motion_books.id", ondelete="RESTRICT"), index=True
    )
    # Forwarded up the tree: the adopted motion of a lower level's book this one
    # came from (its branch is `on_behalf_of`).
    forwarded_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("motions.id", ondelete="SET NULL"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    # Rendered once, on save: the text as numbered printed lines, the reasoning.
    text_html: Mapped[str] = mapped_column(Text, default="")
    reasoning: Mapped[str] = mapped_column(Text, default="")
    reasoning_html: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("motion_categories.id", ondelete="SET NULL")
    )
    # Submitted in the name of a subordinate branch's board, or of a working group
    # of the book's list; otherwise by the submitting members themselves.
    on_behalf_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    working_group: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[MotionStatus] = mapped_column(
        _enum(MotionStatus), default=MotionStatus.SUBMITTED
    )
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation))
    # "Überweisung an …": to whom the committee recommends (or the meeting
    # decided) to refer the motion.
    referral_target: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    supporter_count: Mapped[int] = mapped_column(Integer, default=0)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    book: Mapped[MotionBook] = relationship(back_populates="motions")
    category: Mapped[MotionCategory | None] = relationship()
    on_behalf_of: Mapped[Organisation | None] = relationship()
    thread: Mapped[Thread | None] = relationship()
    forwarded_from: Mapped[Motion | None] = relationship(
        remote_side=[id], back_populates="forwards"
    )
    forwards: Mapped[list[Motion]] = relationship(
        back_populates="forwarded_from", order_by="Motion.id"
    )
    submitters: Mapped[list[MotionSubmitter]] = relationship(
        back_populates="motion",
        cascade="all, delete-orphan",
        order_by="MotionSubmitter.position",
    )
    versions: Mapped[list[MotionVersion]] = relationship(
        back_populates="motion",
        cascade="all, delete-orphan",
        order_by="MotionVersion.number",
    )
    supporters: Mapped[list[MotionSupporter]] = relationship(
        back_populates="motion",
        cascade="all, delete-orphan",
        order_by="MotionSupporter.supported_at",
    )
    history: Mapped[list[MotionStatusChange]] = relationship(
        back_populates="motion",
        cascade="all, delete-orphan",
        order_by="MotionStatusChange.id",
    )


class MotionSubmitter(Base):
    __tablename__ = "motion_submitters"

    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    motion: Mapped[Motion] = relationship(back_populates="submitters")
    member: Mapped[Member] = relationship()


class MotionVersion(Base):
    """A motion's text as it stood in one version; versions are kept."""

    __tablename__ = "motion_versions"
    __table_args__ = (UniqueConstraint("motion_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="versions")


class MotionSupporter(Base):
    """A member's signature under a motion (one per member)."""

    __tablename__ = "motion_supporters"

    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    supported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="supporters")
    member: Mapped[Member] = relationship()


class MotionStatusChange(Base):
    """One step of a motion's status history."""

    __tablename__ = "motion_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(
        ForeignKey("motions.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[MotionStatus | None] = mapped_column(_enum(MotionStatus))
    to_status: Mapped[MotionStatus] = mapped_column(_enum(MotionStatus))
    recommendation: Mapped[Recommendation | None] = mapped_column(_enum(Recommendation))
    referral_target: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="history")
    actor: Mapped[Member | None] = relationship()
