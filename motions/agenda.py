"""Motions on a meeting's agenda: the meeting's chair or organisers list motions of
the organisation's books on an agenda item (reached through `meetings.services`),
so that the chair runs each vote from the meeting. Reached through
motions.services."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from meetings import services as meetings
from models import (
    AgendaItem,
    Meeting,
    Member,
    Motion,
    MotionAgendaEntry,
    MotionBook,
    MotionStatus,
)
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _

from .access import can_organise

# Motions still to be decided can go on an agenda.
LISTABLE = frozenset(
    {MotionStatus.SUBMITTED, MotionStatus.ADMITTED, MotionStatus.RECOMMENDED}
)


def may_plan_agenda(member: Member, meeting: Meeting) -> bool:
    """The meeting's chairs and organisers set which motions its items list."""
    return meetings.is_chair(member, meeting) or can_organise(
        member, meeting.organisation
    )


def agenda_candidates(session: Session, meeting: Meeting) -> list[Motion]:
    """Undecided motions of the meeting's organisation's books, by book and number."""
    return list(
        session.scalars(
            select(Motion)
            .join(MotionBook, Motion.book_id == MotionBook.id)
            .where(
                MotionBook.organisation_id == meeting.organisation_id,
                Motion.status.in_(LISTABLE),
            )
            .order_by(MotionBook.id, Motion.sequence)
        )
    )


def agenda_entries(session: Session, meeting: Meeting) -> dict[int, list[Motion]]:
    """The motions each agenda item lists, in order, by item id."""
    ids = [i.id for i in meeting.items]
    listed: dict[int, list[Motion]] = {i: [] for i in ids}
    if ids:
        for entry in session.scalars(
            select(MotionAgendaEntry)
            .where(MotionAgendaEntry.agenda_item_id.in_(ids))
            .options(joinedload(MotionAgendaEntry.motion))
            .order_by(MotionAgendaEntry.position, MotionAgendaEntry.id)
        ):
            listed[entry.agenda_item_id].append(entry.motion)
    return listed


def listed_count(session: Session, meeting: Meeting) -> int:
    """How many motions the meeting's agenda lists."""
    return (
        session.scalar(
            select(func.count())
            .select_from(MotionAgendaEntry)
            .join(AgendaItem, MotionAgendaEntry.agenda_item_id == AgendaItem.id)
            .where(AgendaItem.meeting_id == meeting.id)
        )
        or 0
    )


def room_links(
    session: Session, member: Member, meeting: Meeting
) -> list[tuple[str, str]]:
    """The meeting page's link to the meeting's motions (registered with
    meetings.services): when its agenda lists motions, or for those who plan the
    agenda when motions of the organisation could go on it."""
    url = url_for("motions.meeting_motions", meeting_id=meeting.id)
    count = listed_count(session, meeting)
    if count:
        return [(_("Anträge auf der Tagesordnung (%(n)d)", n=count), url)]
    if may_plan_agenda(member, meeting) and agenda_candidates(session, meeting):
        return [(_("Anträge auf die Tagesordnung setzen"), url)]
    return []


def meeting_ids(session: Session, motion: Motion) -> list[int]:
    """The meetings whose agenda lists the motion, then the book's own meeting."""
    found = list(
        session.scalars(
            select(AgendaItem.meeting_id)
            .join(MotionAgendaEntry, MotionAgendaEntry.agenda_item_id == AgendaItem.id)
            .where(MotionAgendaEntry.motion_id == motion.id)
            .order_by(MotionAgendaEntry.id)
        )
    )
    if motion.book.meeting_id is not None:
        found.append(motion.book.meeting_id)
    return list(dict.fromkeys(found))


def agenda_meetings(session: Session, member: Member, motion: Motion) -> list[Meeting]:
    """The meetings (the member may see) whose agenda lists the motion."""
    found = []
    for meeting_id in meeting_ids(session, motion):
        try:
            meeting = meetings.get_meeting(session, member, meeting_id)
        except NotFound:
            continue
        if any(
            motion in listed for listed in agenda_entries(session, meeting).values()
        ):
            found.append(meeting)
    return found


def list_on_agenda(
    session: Session, member: Member, meeting: Meeting, item_id: int, motion_id: int
) -> MotionAgendaEntry:
    """Put an undecided motion of the meeting's organisation on an agenda item."""
    if not may_plan_agenda(member, meeting):
        raise NotFound()
    item = meetings.agenda_item(meeting, item_id)
    motion = session.get(Motion, motion_id)
    if motion is None or motion.book.organisation_id != meeting.organisation_id:
        raise NotFound()
    if motion.status not in LISTABLE:
        raise Conflict(_("Dieser Antrag ist bereits entschieden."))
    exists = session.scalar(
        select(MotionAgendaEntry).where(
            MotionAgendaEntry.agenda_item_id == item.id,
            MotionAgendaEntry.motion_id == motion.id,
        )
    )
    if exists is not None:
        raise Conflict(_("Der Antrag steht bereits auf diesem Punkt."))
    position = session.scalar(
        select(func.count()).where(MotionAgendaEntry.agenda_item_id == item.id)
    )
    entry = MotionAgendaEntry(
        agenda_item_id=item.id, motion_id=motion.id, position=position or 0
    )
    session.add(entry)
    audit.record(
        session,
        member,
        "motion.put_on_agenda",
        organisation=motion.book.organisation,
        target=motion,
        meeting=meeting.id,
        item=item.title,
    )
    session.commit()
    return entry


def unlist_from_agenda(
    session: Session, member: Member, meeting: Meeting, item_id: int, motion_id: int
) -> None:
    """Take a motion off an agenda item again (its votes stay on the motion)."""
    if not may_plan_agenda(member, meeting):
        raise NotFound()
    item = meetings.agenda_item(meeting, item_id)
    entry = session.scalar(
        select(MotionAgendaEntry).where(
            MotionAgendaEntry.agenda_item_id == item.id,
            MotionAgendaEntry.motion_id == motion_id,
        )
    )
    if entry is None:
        raise NotFound()
    session.delete(entry)
    audit.record(
        session,
        member,
        "motion.taken_off_agenda",
        organisation=meeting.organisation,
        target=entry.motion,
        meeting=meeting.id,
        item=item.title,
    )
    session.commit()
