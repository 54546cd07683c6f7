"""The audit log: each entry hashes its predecessor, so changes break the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import GENESIS_HASH, AuditEntry, Member, Organisation, utcnow


def canonical_details(details: dict) -> str:
    return json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def entry_hash(entry) -> str:
    """SHA-256 over the entry's fields and its predecessor's hash (entry or row)."""
    body = canonical_details(
        {
            "prev": entry.prev_hash,
            "at": entry.created_at.isoformat(timespec="microseconds"),
            "actor": entry.actor_id,
            "action": entry.action,
            "org": entry.organisation_id,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "details": entry.details,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    actor: Member | None,
    action: str,
    *,
    organisation: Organisation | None = None,
    target: object | None = None,
    **details,
) -> AuditEntry:
    """Append an entry in the caller's transaction (the caller commits)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends; the unique prev_hash would refuse a fork anyway.
        session.execute(text("SELECT pg_advisory_xact_lock(7420001)"))
    head = session.scalar(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    )
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        action=action,
        organisation_id=organisation.id if organisation else None,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        details=canonical_details(details),
        prev_hash=head or GENESIS_HASH,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match."""
    expected_prev = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(*[c for c in AuditEntry.__table__.c])
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return ChainReport(ok=True, entries=count)
        for entry in rows:
            count += 1
            if entry.prev_hash != expected_prev:
                return ChainReport(False, count, entry.id, "link to predecessor broken")
            if entry_hash(entry) != entry.hash:
                return ChainReport(False, count, entry.id, "entry was changed")
            expected_prev = entry.hash
            last_id = entry.id
