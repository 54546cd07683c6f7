"""The membership list as the register of an organisation (`--sync`, the board's
Abgleich): who is no longer in it, and their deactivation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import (
    ApiToken,
    LoginSession,
    Member,
    Organisation,
    Role,
    RoleName,
    utcnow,
)

CHUNK = 900  # ids per IN (...) query; below SQLite's parameter limit


@dataclass(frozen=True)
class Missing:
    """An active member of the scope whom a synchronised list no longer names."""

    id: int
    membership_number: str
    name: str


def missing_members(
    session: Session,
    scope: Organisation,
    listed: set[str],
    may_update: Callable[[int], bool] | None,
) -> list[Missing]:
    """Active members of the scope the list does not name. Never admins (the
    instance's operators are in no party register), and in the browser
    (`may_update` given) only those whose every office the actor may manage."""
    admins = select(Role.member_id).where(Role.role == RoleName.ADMIN)
    rows = session.execute(
        select(Member.id, Member.membership_number, Member.first_name, Member.last_name)
        .join(Organisation, Member.home_branch_id == Organisation.id)
        .where(
            Organisation.path.startswith(scope.path, autoescape=True),
            Member.active.is_(True),
            Member.id.not_in(admins),
        )
        .order_by(Member.last_name, Member.first_name, Member.id)
    ).all()
    return [
        Missing(row.id, row.membership_number, f"{row.first_name} {row.last_name}")
        for row in rows
        if row.membership_number not in listed
        and (may_update is None or may_update(row.id))
    ]


def deactivate(session: Session, member_ids: list[int]) -> None:
    """As a board's deactivation does: the members' login sessions and tokens end
    (their sockets are closed by the caller after the commit). The caller commits."""
    now = utcnow()
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start : start + CHUNK]
        session.execute(
            update(Member)
            .where(Member.id.in_(chunk))
            .values(active=False, session_version=Member.session_version + 1)
        )
        session.execute(
            update(LoginSession)
            .where(LoginSession.member_id.in_(chunk), LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        session.execute(
            update(ApiToken)
            .where(ApiToken.member_id.in_(chunk), ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
