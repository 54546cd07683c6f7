"""Who may see, attend, chair and export a meeting; loaders that answer NotFound
for a meeting a member may not see."""

from __future__ import annotations

from sqlalchemy.orm import Session, joinedload, selectinload

from models import Meeting, Member, Organisation, RoleName
from ortsverein.errors import NotFound
from ortsverein.permissions import can_see_org, has_role, in_subtree

SCHEDULED, RUNNING, ENDED, CANCELLED = "scheduled", "running", "ended", "cancelled"


def status(meeting: Meeting) -> str:
    """The chair starts and ends a meeting; the planned times only announce it."""
    if meeting.cancelled_at is not None:
        return CANCELLED
    if meeting.ended_at is not None:
        return ENDED
    if meeting.started_at is not None:
        return RUNNING
    return SCHEDULED


def get_meeting(session: Session, member: Member, meeting_id: int) -> Meeting:
    meeting = session.get(
        Meeting,
        meeting_id,
        options=[
            joinedload(Meeting.organisation),
            selectinload(Meeting.items),
            selectinload(Meeting.chairs),
        ],
    )
    if meeting is None or not can_see_org(member, meeting.organisation):
        raise NotFound()
    return meeting


def can_organise(member: Member, org: Organisation) -> bool:
    return has_role(member, org, RoleName.ORGANISER)


def is_chair(member: Member, meeting: Meeting) -> bool:
    """The chairs named for the meeting, and the organisation's organisers."""
    return any(c.member_id == member.id for c in meeting.chairs) or can_organise(
        member, meeting.organisation
    )


def can_export(member: Member, meeting: Meeting) -> bool:
    return has_role(member, meeting.organisation, RoleName.BOARD)


def can_attend(member: Member, meeting: Meeting) -> bool:
    """Members of the organisation's subtree attend (and vote); others who may see
    the meeting (an organiser of a level above) follow it as guests."""
    return member.active and in_subtree(member.home, meeting.organisation)


def require_chair(member: Member, meeting: Meeting) -> None:
    if not is_chair(member, meeting):
        raise NotFound()


def can_join_meeting(session: Session, member: Member, meeting_id: int) -> bool:
    try:
        get_meeting(session, member, meeting_id)
    except NotFound:
        return False
    return True
