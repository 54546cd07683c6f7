"""Data rights: the instance's legal texts (privacy notice, Impressum), who saw which
version of the notice, and members' data exports (GDPR Art. 15/20)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .member import Member
from .organisation import Organisation


class LegalKind(enum.StrEnum):
    PRIVACY = "privacy"
    IMPRINT = "imprint"


class ExportStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(
        cls,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
    )


class LegalText(Base):
    """One version of a legal text: every save appends a row, the newest one counts.
    `organisation_id` None is the instance's own text; an organisation's row is the
    section it adds."""

    __tablename__ = "legal_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LegalKind] = mapped_column(_enum(LegalKind))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, on save
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        Index("ix_legal_texts_kind_organisation_id", "kind", "organisation_id"),
    )


class NoticeAcknowledgement(Base):
    """That a member was shown a version of the privacy notice, and when."""

    __tablename__ = "notice_acknowledgements"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    text_id: Mapped[int] = mapped_column(
        ForeignKey("legal_texts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DataExport(Base):
    """A member's export of their data: built in the background into a ZIP file in
    the instance folder, downloadable by that member alone until `expires_at`."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    status: Mapped[ExportStatus] = mapped_column(
        _enum(ExportStatus), default=ExportStatus.PENDING
    )
    # A random name: the file's path says nothing about whose data it holds.
    file_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    requested_by: Mapped[Member | None] = relationship(foreign_keys=[requested_by_id])
