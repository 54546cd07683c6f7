"""A poll in calendars: its opening and its closing as two events (a member acts
on each), for the poll's .ics download and the member's calendar feed."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from models import Member, Poll, utcnow
from ortsverein.i18n import _

from .visibility import _visible_polls

PAST = timedelta(days=30)
LIMIT = 500


def poll_events(poll: Poll, base_url: str) -> list[Event]:
    """Two instants (no end: RFC 5545 reads a DATE-TIME start alone as a moment)."""
    base = base_url.rstrip("/")
    url = f"{base}/polls/{poll.id}"
    host = urlsplit(base).hostname or "ortsverein.invalid"
    events = []
    for moment, when, summary in (
        ("opens", poll.opens_at, _("Abstimmung beginnt: %(t)s", t=poll.title)),
        ("closes", poll.closes_at, _("Abstimmung endet: %(t)s", t=poll.title)),
    ):
        event = Event()
        event.add("uid", f"poll-{poll.id}-{moment}@{host}")
        event.add("dtstamp", utcnow().astimezone(UTC))
        event.add("dtstart", when.astimezone(UTC))
        event.add("summary", summary)
        event.add("description", f"{poll.organisation.name}\n\n{url}")
        event.add("url", url)
        if poll.cancelled_at is not None:
            event.add("status", "CANCELLED")
        events.append(event)
    return events


def poll_ics(poll: Poll, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Ortsverein//Abstimmungen//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for event in poll_events(poll, base_url):
        cal.add_component(event)
    return cal.to_ical()


def member_poll_events(session: Session, member: Member, base_url: str) -> list[Event]:
    """The scheduled polls the member may see, from a month back on."""
    polls = session.scalars(
        _visible_polls(member)
        .where(Poll.scheduled.is_(True), Poll.closes_at >= utcnow() - PAST)
        .order_by(Poll.opens_at, Poll.id)
        .limit(LIMIT)
    )
    return [event for poll in polls for event in poll_events(poll, base_url)]
