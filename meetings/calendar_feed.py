"""A member's meetings in their calendar feed (ortsverein.calendar_feed): those of
the organisations they may see, from a month back on, cancelled ones marked so."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Event
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Meeting, Member, Organisation, utcnow
from ortsverein.permissions import visible_org_clause

from .invitations import event

PAST = timedelta(days=30)
LIMIT = 500


def meeting_events(session: Session, member: Member, base_url: str) -> list[Event]:
    meetings = session.scalars(
        select(Meeting)
        .join(Organisation, Meeting.organisation_id == Organisation.id)
        .where(visible_org_clause(member), Meeting.starts_at >= utcnow() - PAST)
        .options(selectinload(Meeting.items), selectinload(Meeting.organisation))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(LIMIT)
    )
    return [event(meeting, base_url) for meeting in meetings]
