"""The organisation tree: Bund > Land > (Unter)bezirk > Ortsverein."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class OrgLevel(enum.StrEnum):
    BUND = "bund"
    LAND = "land"
    BEZIRK = "bezirk"
    UNTERBEZIRK = "unterbezirk"
    ORTSVEREIN = "ortsverein"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[OrgLevel] = mapped_column(
        Enum(
            OrgLevel,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    # Materialised path of ids, "/1/4/9/": a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(1000), index=True)
    require_2fa_for_staff: Mapped[bool] = mapped_column(default=False)
    # Set when the branch was dissolved or merged into another: it keeps its id for
    # the audit log's history but leaves the tree (no parent, path "/0/<id>/").
    dissolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.name"
    )

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this organisation."""
        return ancestor_ids_of(self.path)

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


def ancestor_ids_of(path: str) -> list[int]:
    """Ids from the root down to and including the organisation at `path`."""
    return [int(part) for part in path.strip("/").split("/") if part]
