"""Attendance: who is present, online (while connected) or in the room (entered by
the chair), kept as stretches so the minutes say who was there when."""

from __future__ import annotations

from sqlalchemy import distinct, func, select, update
from sqlalchemy.orm import Session, joinedload

from models import Attendance, Meeting, Member, Organisation, utcnow
from ortsverein.db import rowcount
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _

from .access import RUNNING, can_attend, require_chair, status


def present_ids(session: Session, meeting_id: int) -> list[int]:
    return sorted(
        session.scalars(
            select(Attendance.member_id)
            .distinct()
            .where(Attendance.meeting_id == meeting_id, Attendance.left_at.is_(None))
        )
    )


def in_room_ids(session: Session, meeting_id: int) -> set[int]:
    """Members the chair recorded as sitting in the room, and not gone since."""
    return set(
        session.scalars(
            select(Attendance.member_id).where(
                Attendance.meeting_id == meeting_id,
                Attendance.left_at.is_(None),
                Attendance.in_room.is_(True),
            )
        )
    )


def present_count(session: Session, meeting_id: int) -> int:
    return (
        session.scalar(
            select(func.count(distinct(Attendance.member_id))).where(
                Attendance.meeting_id == meeting_id, Attendance.left_at.is_(None)
            )
        )
        or 0
    )


def is_present(session: Session, meeting_id: int, member_id: int) -> bool:
    return (
        session.scalar(
            select(Attendance.id)
            .where(
                Attendance.meeting_id == meeting_id,
                Attendance.member_id == member_id,
                Attendance.left_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def summary(session: Session, meeting: Meeting) -> dict:
    present = present_count(session, meeting.id)
    return {
        "present": present,
        "quorum": meeting.quorum,
        "quorum_met": present >= meeting.quorum,
    }


def _open(session: Session, meeting: Meeting, member: Member, in_room: bool) -> bool:
    if status(meeting) != RUNNING:
        raise Conflict(_("Die Sitzung läuft nicht."))
    if not can_attend(member, meeting):
        raise Conflict(
            _("Anwesend sein können die Mitglieder der Gliederung; du bist Gast.")
        )
    if is_present(session, meeting.id, member.id):
        return False
    session.add(Attendance(meeting_id=meeting.id, member_id=member.id, in_room=in_room))
    return True


def check_in(session: Session, member: Member, meeting: Meeting) -> bool:
    """The member checks in online; True when they were not present before."""
    opened = _open(session, meeting, member, in_room=False)
    session.commit()
    return opened


def check_out(session: Session, member: Member, meeting: Meeting) -> bool:
    """Online stretches end (a chair ends an in-room stretch)."""
    closed = _close(session, meeting.id, member.id, in_room=False)
    session.commit()
    return closed


def connection_lost(session: Session, meeting_id: int, member_id: int) -> bool:
    """The member's last connection to the room has gone: online presence ends."""
    closed = _close(session, meeting_id, member_id, in_room=False)
    session.commit()
    return closed


def _close(session: Session, meeting_id: int, member_id: int, in_room: bool) -> bool:
    result = session.execute(
        update(Attendance)
        .where(
            Attendance.meeting_id == meeting_id,
            Attendance.member_id == member_id,
            Attendance.in_room.is_(in_room),
            Attendance.left_at.is_(None),
        )
        .values(left_at=utcnow())
    )
    return bool(rowcount(result))


def room_check_in(
    session: Session, chair: Member, meeting: Meeting, member_id: int
) -> Member:
    """The chair records a member sitting in the room (hybrid meetings)."""
    require_chair(chair, meeting)
    member = session.get(Member, member_id, options=[joinedload(Member.home_branch)])
    if member is None or not can_attend(member, meeting):
        raise NotFound()
    _open(session, meeting, member, in_room=True)
    session.commit()
    return member


def room_check_out(
    session: Session, chair: Member, meeting: Meeting, member_id: int
) -> None:
    require_chair(chair, meeting)
    _close(session, meeting.id, member_id, in_room=True)
    session.commit()


def attendance_list(session: Session, meeting: Meeting) -> list[Attendance]:
    """Every stretch, for the chair's list and the minutes."""
    return list(
        session.scalars(
            select(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .options(joinedload(Attendance.member))
            .order_by(Attendance.joined_at, Attendance.id)
        )
    )


def present_members(session: Session, meeting: Meeting) -> list[dict]:
    """Who is present now, by name, and since when and how (for the chair)."""
    rows = [a for a in attendance_list(session, meeting) if a.left_at is None]
    seen: dict[int, dict] = {}
    for a in rows:
        entry = seen.setdefault(
            a.member_id,
            {
                "id": a.member_id,
                "name": a.member.name,
                "since": a.joined_at,
                "in_room": False,
                "online": False,
            },
        )
        entry["in_room" if a.in_room else "online"] = True
    return sorted(seen.values(), key=lambda e: e["name"])


def eligible_members(session: Session, meeting: Meeting, query: str = "") -> list:
    """Members of the subtree the chair can check in as sitting in the room."""
    stmt = (
        select(Member)
        .join(Organisation, Member.home_branch_id == Organisation.id)
        .where(
            Organisation.path.startswith(meeting.organisation.path, autoescape=True),
            Member.active.is_(True),
        )
        .order_by(Member.last_name, Member.first_name)
        .limit(200)
    )
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            Member.last_name.ilike(like)
            | Member.first_name.ilike(like)
            | Member.email.ilike(like)
        )
    return list(session.scalars(stmt))


def after_restart(session: Session) -> int:
    """`ortsverein serve` starting (one process: no socket survived the restart)
    ends every online stretch left open, so that nobody who is gone counts as
    present or joins a vote's electorate; the room pages reconnect and check their
    members in again. Stretches in the room, kept by the chair, stay."""
    result = session.execute(
        update(Attendance)
        .where(Attendance.left_at.is_(None), Attendance.in_room.is_(False))
        .values(left_at=utcnow())
    )
    session.commit()
    return rowcount(result) or 0
