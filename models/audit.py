"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .member import Member

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column()
    # Canonical JSON (sorted keys); never the content of a secret ballot.
    details: Mapped[str] = mapped_column(Text, default="{}")
    # Unique: two writers that read the same head cannot both append, so the chain
    # never forks.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    # Version 2 (from 0.5.0) hashes a member who acted or was acted on only as a
    # commitment, sha256(salt ":" id) in *_ref; the id and the salt stay outside
    # the hashed part, so pseudonymising (both set to NULL) keeps the chain intact
    # (ortsverein/audit.py, docs/secrecy.md). Version 1 hashed actor_id itself.
    hash_version: Mapped[int] = mapped_column(Integer, default=2, server_default="1")
    actor_ref: Mapped[str | None] = mapped_column(String(64))
    actor_salt: Mapped[str | None] = mapped_column(String(32))
    target_ref: Mapped[str | None] = mapped_column(String(64))
    target_salt: Mapped[str | None] = mapped_column(String(32))

    actor: Mapped[Member | None] = relationship()
