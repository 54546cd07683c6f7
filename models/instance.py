"""Which database this is: a random id, written anew by every restore."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class InstanceIdentity(Base):
    """One row at most. Per-process caches of database facts key on it, so a
    database restored under running servers is never mistaken for the one before."""

    __tablename__ = "instance_identity"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
