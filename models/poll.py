"""Polls, their frozen electorate, and the ballot box kept apart from who voted."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .member import Member
from .organisation import Organisation


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class PollKind(enum.StrEnum):
    YES_NO_ABSTAIN = "yes_no_abstain"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RANKED = "ranked"
    # Ja, Nein or Enthaltung for each option (Listenwahl): see polls.rules
    YES_NO_ABSTAIN_EACH = "yes_no_abstain_each"


class Majority(enum.StrEnum):
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"


class Repeat(enum.StrEnum):
    NONE = "none"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class RulePreset(Base):
    """A named statute rule an organisation's organisers pick instead of numbers."""

    __tablename__ = "rule_presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    quorum_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    majority: Mapped[Majority] = mapped_column(_enum(Majority))
    statute_reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, on save
    kind: Mapped[PollKind] = mapped_column(_enum(PollKind))
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    quorum_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    majority: Mapped[Majority] = mapped_column(_enum(Majority), default=Majority.SIMPLE)
    min_choices: Mapped[int] = mapped_column(Integer, default=0)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    # The rule as applied, copied from the preset so later edits do not change it.
    rule_name: Mapped[str] = mapped_column(String(200), default="")
    statute_reference: Mapped[str] = mapped_column(String(200), default="")
    repeat: Mapped[Repeat] = mapped_column(_enum(Repeat), default=Repeat.NONE)
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("polls.id", ondelete="SET NULL")
    )
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    # A scheduled poll called off by an organiser before it opened: it never opens.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Transition work done (electorate frozen; box sealed and tallied).
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Members told that it opened; those who had not voted reminded before closing.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    electorate_size: Mapped[int | None] = mapped_column(Integer)
    electorate_hash: Mapped[str | None] = mapped_column(String(64))
    ballot_digest: Mapped[str | None] = mapped_column(String(64))
    receipts_digest: Mapped[str | None] = mapped_column(String(64))
    result_json: Mapped[str | None] = mapped_column(Text)
    # A live vote of a meeting: its electorate is the members present when it starts.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    # Ballots the chair entered from a vote in the room (counted with the others).
    paper_ballots: Mapped[int | None] = mapped_column(Integer)
    # A secret poll's ballots are sealed to this X25519 public key while it is open;
    # the private key lives in the key folder (polls/ballot_keys.py), never here.
    ballot_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # When the poll was found without its private key (the board is told; no result)
    key_missing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the traces of casting order were verifiably removed after sealing
    scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Key escrow (optional, binding votes): the private key is also split into
    # shares for the board, this many of which restore it (polls/escrow.py).
    escrow_threshold: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Member | None] = relationship()
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll",
        cascade="all, delete-orphan",
        order_by="PollOption.position",
    )


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300))

    poll: Mapped[Poll] = relationship(back_populates="options")


class ElectorateEntry(Base):
    """Who may vote, frozen when the poll opens."""

    __tablename__ = "electorate_entries"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Participation(Base):
    """That a member voted: no id, no time finer than the day, no link to the ballot."""

    __tablename__ = "participations"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    voted_on: Mapped[date] = mapped_column(Date)


class BallotRecord(Base):
    """A ballot: a random key and the choices, nothing about who or when."""

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    choices: Mapped[str] = mapped_column(Text)  # canonical JSON list of option ids


class SealedBallot(Base):
    """A ballot of an open secret poll, sealed to the poll's public key: a random
    key and a ciphertext only its private key opens. Sealing opens them all, writes
    the plaintext box under new keys in random order and deletes these rows."""

    __tablename__ = "sealed_ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    box: Mapped[bytes] = mapped_column(LargeBinary)


class PollKeyShare(Base):
    """A board member chosen to hold one share of an escrowed poll's private key.
    The share itself is never in the database: it waits in the key folder until
    its holder picks it up once, and then exists only where they keep it."""

    __tablename__ = "poll_key_shares"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship()


class Receipt(Base):
    """SHA-256 of a receipt code, kept apart from the ballots."""

    __tablename__ = "receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )


class PaperVoter(Base):
    """A member of a meeting vote's electorate who voted on paper in the room, so
    that they cannot vote online as well."""

    __tablename__ = "paper_voters"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class NamedVote(Base):
    """Only for named (non-secret) polls: who cast which ballot, said before voting."""

    __tablename__ = "named_votes"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    ballot_id: Mapped[str] = mapped_column(String(32))
