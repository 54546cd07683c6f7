"""The shape of the organisation tree: level order and materialised paths."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Organisation, OrgLevel

# Lower is higher in the party: a branch's level ranks above its parent's.
LEVEL_RANK = {level.value: rank for rank, level in enumerate(OrgLevel)}


def level_fits(level: OrgLevel, parent: Organisation | None) -> bool:
    """A branch lies strictly below its parent's level (the root has no parent)."""
    if parent is None:
        return True
    return LEVEL_RANK[level.value] > LEVEL_RANK[parent.level.value]


def recompute_paths(session: Session) -> int:
    """Rewrite every materialised path that does not match the parent links (after
    an import changed parents); returns how many changed. Reads the whole tree, a
    few thousand rows at most."""
    rows = session.execute(
        select(Organisation.id, Organisation.parent_id, Organisation.path).where(
            Organisation.dissolved_at.is_(None)
        )
    ).all()
    parent = {row.id: row.parent_id for row in rows}
    paths: dict[int, str] = {}

    def path_of(org_id: int) -> str:
        if org_id not in paths:
            up = parent[org_id]
            paths[org_id] = (path_of(up) if up is not None else "/") + f"{org_id}/"
        return paths[org_id]

    changes = [
        {"id": row.id, "path": path_of(row.id)}
        for row in rows
        if path_of(row.id) != row.path
    ]
    if changes:
        session.execute(update(Organisation), changes)
        session.expire_all()
    return len(changes)
