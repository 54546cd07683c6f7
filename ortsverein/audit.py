"""The audit log: each entry hashes its predecessor, so changes break the chain.

A member an entry names (who acted; whom it was about) enters the hash only as a
commitment, sha256(salt ":" member id), with a random salt per reference kept
beside the id outside the hashed part (hash version 2). Pseudonymising an entry
sets id and salt to NULL: the chain still verifies, and the commitment can no
longer be tied to anyone, not even by trying every member id (docs/secrecy.md)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from models import GENESIS_HASH, AuditEntry, Member, Organisation, utcnow

from .auth.current import CurrentMember
from .db import rowcount


def canonical_details(details: dict) -> str:
    return json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def member_ref(salt: str, member_id: int) -> str:
    """The commitment to a member the hash covers instead of the member's id."""
    return hashlib.sha256(f"{salt}:{member_id}".encode()).hexdigest()


def entry_hash(entry) -> str:
    """SHA-256 over the entry's fields and its predecessor's hash (entry or row)."""
    if getattr(entry, "hash_version", 1) == 2:
        body = canonical_details(
            {
                "v": 2,
                "prev": entry.prev_hash,
                "at": entry.created_at.isoformat(timespec="microseconds"),
                "actor": entry.actor_ref,
                "action": entry.action,
                "org": entry.organisation_id,
                "target_type": entry.target_type,
                "target": entry.target_ref
                if entry.target_type == "member"
                else entry.target_id,
                "details": entry.details,
            }
        )
        return hashlib.sha256(body.encode()).hexdigest()
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
    # current_user is a proxy, and behind it the request's plain CurrentMember: name
    # the member, not "localproxy" or "currentmember" (isinstance sees through the
    # proxy)
    if isinstance(target, CurrentMember):
        target = target.orm()
    else:
        target = getattr(target, "_get_current_object", lambda: target)()
    target_type = type(target).__name__.lower() if target is not None else None
    target_id = getattr(target, "id", None)
    entry = AuditEntry(
        hash_version=2,
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        action=action,
        organisation_id=organisation.id if organisation else None,
        target_type=target_type,
        target_id=target_id,
        details=canonical_details(details),
        prev_hash=head or GENESIS_HASH,
    )
    if actor is not None:
        entry.actor_salt = secrets.token_hex(16)
        entry.actor_ref = member_ref(entry.actor_salt, actor.id)
    if target_type == "member" and target_id is not None:
        entry.target_salt = secrets.token_hex(16)
        entry.target_ref = member_ref(entry.target_salt, target_id)
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
            if not _references_hold(entry):
                return ChainReport(False, count, entry.id, "member reference changed")
            expected_prev = entry.hash
            last_id = entry.id


def _references_hold(entry) -> bool:
    """In a version 2 entry, a member id still present matches its commitment (so
    an entry cannot be moved to another member); a pseudonymised one has none."""
    if entry.hash_version != 2:
        return True
    pairs = [(entry.actor_id, entry.actor_salt, entry.actor_ref)]
    if entry.target_type == "member":
        pairs.append((entry.target_id, entry.target_salt, entry.target_ref))
    for member_id, salt, ref in pairs:
        if member_id is None:
            continue
        if salt is None or ref is None or member_ref(salt, member_id) != ref:
            return False
    return True


def pseudonymise(
    session: Session,
    *,
    member_id: int | None = None,
    before: datetime | None = None,
) -> int:
    """Cut the link to the member in entries of version 2, of one member or written
    before a time, in the caller's transaction: the ids and salts go, the events
    and the chain stay. Entries of version 1 hashed the id itself; they keep it
    (it then refers to an anonymous row: docs/secrecy.md). Returns the entries
    changed."""
    changed = 0
    for id_column, salt_column, extra in (
        (AuditEntry.actor_id, "actor_salt", ()),
        (AuditEntry.target_id, "target_salt", (AuditEntry.target_type == "member",)),
    ):
        conditions = [AuditEntry.hash_version == 2, id_column.is_not(None), *extra]
        if member_id is not None:
            conditions.append(id_column == member_id)
        if before is not None:
            conditions.append(AuditEntry.created_at < before)
        changed += rowcount(
            session.execute(
                update(AuditEntry)
                .where(*conditions)
                .values({id_column.key: None, salt_column: None})
                .execution_options(synchronize_session=False)
            )
        )
    return changed


def pseudonymisable_count(session: Session, before: datetime) -> int:
    """Entries of version 2 written before `before` that still name a member."""
    return (
        session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.hash_version == 2,
                AuditEntry.created_at < before,
                or_(
                    AuditEntry.actor_id.is_not(None),
                    and_(
                        AuditEntry.target_type == "member",
                        AuditEntry.target_id.is_not(None),
                    ),
                ),
            )
        )
        or 0
    )
