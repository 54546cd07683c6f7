"""The database's instance id: per-process caches of database facts key on it, so
that a database restored under running servers (`ortsverein restore` writes a new
id) is never served facts kept from the one before."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import InstanceIdentity


def current(session: Session) -> str:
    """The id, or "" for a database never restored (its facts are its own)."""
    return session.scalar(select(InstanceIdentity.id).limit(1)) or ""
