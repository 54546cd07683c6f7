"""Meeting use cases for organisers and chairs: schedule, edit, invite, start, move
the agenda, end; and the lists members see. Later features (elections) use
meetings through this module only: a meeting's status, whether a member chairs
it, and its live votes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from discussions import services as forum_services
from models import (
    AgendaItem,
    Attendance,
    Meeting,
    Member,
    Organisation,
    utcnow,
)
from ortsverein import audit
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _
from ortsverein.pagination import Page, paginate
from ortsverein.permissions import visible_org_clause

from . import invitations, planning
from .access import (
    RUNNING,
    SCHEDULED,
    can_organise,
    require_chair,
    status,
)
from .access import get_meeting as get_meeting
from .access import is_chair as is_chair
from .agenda import _item as _agenda_item
from .agenda import finish_speeches
from .live import publish_meeting
from .planning import ItemInput as ItemInput  # callers build a meeting's input
from .planning import MeetingInput as MeetingInput
from .votes import close_vote as close_vote
from .votes import running_vote
from .votes import start_vote as start_vote

STALE = timedelta(days=1)

# A link a later feature adds to the meeting page, as (label, url): meetings shows
# them without knowing the features (motions: the meeting's motions).
RoomLink = tuple[str, str]
RoomLinkBuilder = Callable[[Session, Member, Meeting], list[RoomLink]]


def register_room_links(app: Flask, build: RoomLinkBuilder) -> None:
    """A feature's links on the meeting page: `build(session, member, meeting)`
    returns the (label, url) pairs to show (none when there is nothing)."""
    app.extensions.setdefault("meeting_room_links", []).append(build)


def room_links(session: Session, member: Member, meeting: Meeting) -> list[RoomLink]:
    """Every registered feature's links for this member on this meeting's page."""
    builders: list[RoomLinkBuilder] = current_app.extensions.get(
        "meeting_room_links", []
    )
    return [link for build in builders for link in build(session, member, meeting)]


def create_meeting(session: Session, member: Member, data: MeetingInput) -> Meeting:
    """Schedule a meeting with its agenda; invitations go out separately."""
    org, items, chairs, forum = planning.validate(session, member, data)
    meeting = Meeting(
        organisation=org,
        created_by=member,
        title="",
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    session.add(meeting)
    created = planning.apply(session, member, meeting, data, items, chairs, forum)
    session.flush()
    audit.record(session, member, "meeting.created", organisation=org, target=meeting)
    session.commit()
    for thread, pending in created:
        forum_services.after_thread_commit(session, thread, pending)
    return meeting


def update_meeting(
    session: Session, member: Member, meeting: Meeting, data: MeetingInput
) -> Meeting:
    """Details and agenda change until the meeting starts."""
    if not can_organise(member, meeting.organisation):
        raise NotFound()
    if status(meeting) != SCHEDULED:
        raise Conflict(_("Eine begonnene Sitzung lässt sich nicht mehr umplanen."))
    data.org_id = meeting.organisation_id
    org, items, chairs, forum = planning.validate(session, member, data)
    before = invitations.calendar_fields(meeting)
    created = planning.apply(session, member, meeting, data, items, chairs, forum)
    resent = None
    if (
        meeting.invited_at is not None
        and invitations.calendar_fields(meeting) != before
    ):
        resent = invitations.resend(session, meeting, invitations.CHANGED)
    audit.record(session, member, "meeting.edited", organisation=org, target=meeting)
    session.commit()
    for thread, pending in created:
        forum_services.after_thread_commit(session, thread, pending)
    if resent is not None:
        resent()
    return meeting


def list_meetings(
    session: Session,
    member: Member,
    *,
    when: str = "upcoming",
    page: int = 1,
    per_page: int = 20,
) -> Page:
    stmt = (
        select(Meeting)
        .join(Organisation, Meeting.organisation_id == Organisation.id)
        .options(joinedload(Meeting.organisation))
        .where(visible_org_clause(member))
    )
    if when == "past":
        stmt = stmt.where(
            (Meeting.ended_at.is_not(None)) | (Meeting.cancelled_at.is_not(None))
        ).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    else:
        # Not ended: running, or planned and not long past (a meeting nobody ever
        # opened must not crowd the home page for good).
        stmt = stmt.where(
            Meeting.ended_at.is_(None),
            Meeting.cancelled_at.is_(None),
            Meeting.started_at.is_not(None) | (Meeting.ends_at > utcnow() - STALE),
        ).order_by(Meeting.starts_at, Meeting.id)
    return paginate(session, stmt, page, per_page)


def start(session: Session, member: Member, meeting: Meeting) -> Meeting:
    """The chair opens the meeting: attendance, speakers and votes begin; the first
    agenda item becomes current."""
    require_chair(member, meeting)
    if status(meeting) != SCHEDULED:
        raise Conflict(_("Diese Sitzung läuft bereits oder ist beendet."))
    now = utcnow()
    meeting.started_at = now
    if meeting.items and meeting.current_item_id is None:
        meeting.current_item_id = meeting.items[0].id
        meeting.items[0].opened_at = now
    audit.record(
        session,
        member,
        "meeting.started",
        organisation=meeting.organisation,
        target=meeting,
    )
    session.commit()
    publish_meeting(session, meeting, "meeting_started")
    return meeting


def end(session: Session, member: Member, meeting: Meeting) -> Meeting:
    """Close the meeting: every attendance stretch ends now. A running vote must be
    closed first, so that no decision is left half taken."""
    require_chair(member, meeting)
    if status(meeting) != RUNNING:
        raise Conflict(_("Nur eine laufende Sitzung lässt sich beenden."))
    if running_vote(session, meeting) is not None:
        raise Conflict(_("Bitte schließe zuerst die laufende Abstimmung."))
    now = utcnow()
    meeting.ended_at = now
    finish_speeches(session, meeting, now)
    session.execute(
        update(Attendance)
        .where(Attendance.meeting_id == meeting.id, Attendance.left_at.is_(None))
        .values(left_at=now)
    )
    audit.record(
        session,
        member,
        "meeting.ended",
        organisation=meeting.organisation,
        target=meeting,
    )
    session.commit()
    publish_meeting(session, meeting, "meeting_ended")
    return meeting


def cancel(session: Session, member: Member, meeting: Meeting) -> Meeting:
    if not can_organise(member, meeting.organisation):
        raise NotFound()
    if status(meeting) != SCHEDULED:
        raise Conflict(_("Nur eine geplante Sitzung lässt sich absagen."))
    meeting.cancelled_at = utcnow()
    resent = None
    if meeting.invited_at is not None:
        resent = invitations.resend(session, meeting, invitations.CANCELLED_KIND)
    audit.record(
        session,
        member,
        "meeting.cancelled",
        organisation=meeting.organisation,
        target=meeting,
    )
    session.commit()
    publish_meeting(session, meeting, "meeting_ended")
    if resent is not None:
        resent()
    return meeting


def home_meetings(
    session: Session, member: Member, upcoming: int = 3
) -> tuple[list[Meeting], list[Meeting]]:
    """The meetings the member may attend for the home page: those running now (to
    join first) and the next `upcoming` planned ones."""
    page = list_meetings(session, member, per_page=upcoming + 10)
    running = [m for m in page.items if status(m) == RUNNING]
    planned = [m for m in page.items if status(m) != RUNNING][:upcoming]
    return running, planned


def is_running(meeting: Meeting) -> bool:
    """Started by the chair and not yet ended: live votes may be held."""
    return status(meeting) == RUNNING


def agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """One item of the meeting's agenda (NotFound for another meeting's), for a
    feature that lists its own things on it (motions)."""
    return _agenda_item(meeting, item_id)
