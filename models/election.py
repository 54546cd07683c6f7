"""Elections of people: an election's seats and method, candidacies with consent,
its ballot rounds (each one a poll) and the seats it filled with their acceptance."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .member import Member
from .organisation import Organisation
from .poll import Poll, PollOption


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class ElectionMethod(enum.StrEnum):
    SINGLE = "single"  # one seat: absolute majority, else a second round
    APPROVAL = "approval"  # yes/no/abstain per candidate, minimum yes share
    BLOCK = "block"  # up to N votes (Blockwahl)
    STV_SCOTTISH = "stv_scottish"
    STV_MEEK = "stv_meek"


class ElectionStatus(enum.StrEnum):
    NOMINATION = "nomination"  # candidacies may be made, consented, withdrawn
    BALLOTING = "balloting"  # nominations closed; rounds are held
    FINISHED = "finished"  # every seat decided (or the organisers ended it)


class Runoff(enum.StrEnum):
    TOP_TWO = "top_two"  # round 2 between the two strongest
    PLAIN = "plain"  # round 2 with all listed candidates, plain majority


class Acceptance(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Election(Base):
    """An election of an organisation to an office with one or more seats."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, on save
    seats: Mapped[int] = mapped_column(Integer, default=1)
    method: Mapped[ElectionMethod] = mapped_column(_enum(ElectionMethod))
    runoff: Mapped[Runoff] = mapped_column(_enum(Runoff), default=Runoff.TOP_TWO)
    # Approval: share of yes among yes and no a candidate needs to be elected.
    min_yes_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(50))
    # Minimum share of seats per gender in a multi-seat result (0: no quota).
    quota_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    secret: Mapped[bool] = mapped_column(Boolean, default=True)
    statute_reference: Mapped[str] = mapped_column(String(200), default="")
    nominations_open_at: Mapped[datetime] = mapped_column(UTCDateTime())
    nominations_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Held in this meeting: rounds are live votes of those present.
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[ElectionStatus] = mapped_column(
        _enum(ElectionStatus), default=ElectionStatus.NOMINATION
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Member | None] = relationship()
    candidacies: Mapped[list[Candidacy]] = relationship(
        back_populates="election",
        cascade="all, delete-orphan",
        order_by="Candidacy.id",
    )
    rounds: Mapped[list[ElectionRound]] = relationship(
        back_populates="election",
        cascade="all, delete-orphan",
        order_by="ElectionRound.number",
    )
    elected: Mapped[list[ElectedSeat]] = relationship(
        back_populates="election",
        cascade="all, delete-orphan",
        order_by="ElectedSeat.position",
    )


class Candidacy(Base):
    """A member standing for election; it counts once the member has consented."""

    __tablename__ = "candidacies"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statement: Mapped[str] = mapped_column(Text, default="")
    statement_html: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    election: Mapped[Election] = relationship(back_populates="candidacies")
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    nominated_by: Mapped[Member | None] = relationship(foreign_keys=[nominated_by_id])

    @property
    def standing(self) -> bool:
        """Consented and not withdrawn: on the ballot of the next round."""
        return self.consent_at is not None and self.withdrawn_at is None


class ElectionRound(Base):
    """One ballot of an election: a poll whose options are the candidates."""

    __tablename__ = "election_rounds"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="RESTRICT"), unique=True
    )
    # Seats this round fills (the election's, or those a previous round left open).
    seats: Mapped[int] = mapped_column(Integer)
    # The count of the sealed ballots (elections/count.py), as stored JSON.
    result_json: Mapped[str | None] = mapped_column(Text)
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    election: Mapped[Election] = relationship(back_populates="rounds")
    poll: Mapped[Poll] = relationship()
    candidates: Mapped[list[RoundCandidate]] = relationship(
        back_populates="round",
        cascade="all, delete-orphan",
        order_by="RoundCandidate.position",
    )


class RoundCandidate(Base):
    """A candidate on a round's ballot and the poll option that stands for them."""

    __tablename__ = "election_round_candidates"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("election_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    candidacy_id: Mapped[int] = mapped_column(
        ForeignKey("candidacies.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("poll_options.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer)

    round: Mapped[ElectionRound] = relationship(back_populates="candidates")
    candidacy: Mapped[Candidacy] = relationship()
    option: Mapped[PollOption | None] = relationship()


class ElectedSeat(Base):
    """A seat filled by a round, in order, and whether the person took it up."""

    __tablename__ = "elected_seats"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("election_rounds.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    # Filled because of the gender quota, not by the count's order alone.
    by_quota: Mapped[bool] = mapped_column(Boolean, default=False)
    acceptance: Mapped[Acceptance | None] = mapped_column(_enum(Acceptance))
    acceptance_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )

    election: Mapped[Election] = relationship(back_populates="elected")
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    round: Mapped[ElectionRound] = relationship()
    acceptance_recorded_by: Mapped[Member | None] = relationship(
        foreign_keys=[acceptance_recorded_by_id]
    )
