"""A member's calendar feed at a secret, revocable URL, and a poll's .ics download:
parsed back with icalendar, as a calendar app would read them."""

from __future__ import annotations

import hashlib
import re

from icalendar import Calendar
from sqlalchemy import select

from models import AuditEntry, Member
from tests.factories import fresh, make_meeting, make_poll

URL_RE = re.compile(r"https?://[^\s\"<>]+/kalender/([A-Za-z0-9_\-]+)\.ics")


def _create(auth, client) -> str:
    response = auth.post("/profile/calendar")
    assert response.status_code == 200
    return URL_RE.search(response.get_data(as_text=True)).group(1)


def _events(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_the_feed_lists_meetings_and_poll_moments_without_cookies(
    app, auth, client, session, world
):
    with app.test_request_context():
        meeting = make_meeting(session, world.nord, world.organiser)
        poll = make_poll(session, world.nord, world.organiser)
        hidden = make_poll(session, world.sued, world.admin)
        draft = make_poll(session, world.nord, world.organiser, scheduled=False)
    auth.login(world.member)
    token = _create(auth, client)
    fresh(session)
    stored = session.get(Member, world.member.id).calendar_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()  # never the token
    calendar_app = app.test_client(use_cookies=False)
    response = calendar_app.get(f"/kalender/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = _events(response.data)
    host = "127.0.0.1"
    assert f"meeting-{meeting.id}@{host}" in events
    opens = events[f"poll-{poll.id}-opens@{host}"]
    closes = events[f"poll-{poll.id}-closes@{host}"]
    assert opens.decoded("dtstart") == poll.opens_at.replace(microsecond=0)
    assert closes.decoded("dtstart") == poll.closes_at.replace(microsecond=0)
    assert "Frage yes_no_abstain" in str(closes["summary"])
    assert not any(f"poll-{hidden.id}-" in uid for uid in events)
    assert not any(f"poll-{draft.id}-" in uid for uid in events)
    assert events[f"meeting-{meeting.id}@{host}"]["summary"] == meeting.title


def test_revoked_and_replaced_feeds_stop_working(app, auth, client, session, world):
    auth.login(world.member)
    first = _create(auth, client)
    calendar_app = app.test_client(use_cookies=False)
    assert calendar_app.get(f"/kalender/{first}.ics").status_code == 200
    second = _create(auth, client)
    assert calendar_app.get(f"/kalender/{first}.ics").status_code == 404
    assert calendar_app.get(f"/kalender/{second}.ics").status_code == 200
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert "Kalender-Adresse widerrufen" in page
    assert auth.post("/profile/calendar/revoke").status_code == 302
    assert calendar_app.get(f"/kalender/{second}.ics").status_code == 404
    fresh(session)
    assert session.get(Member, world.member.id).calendar_token_hash is None
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("calendar_feed.%"))
    ).all()
    assert actions == [
        "calendar_feed.created",
        "calendar_feed.renewed",
        "calendar_feed.revoked",
    ]
    # a made-up token is unknown like any page
    assert calendar_app.get("/kalender/erfunden.ics").status_code == 404


def test_a_poll_ics_download_for_those_who_may_see_it(
    app, auth, client, session, world
):
    with app.test_request_context():
        poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.member)
    response = client.get(f"/polls/{poll.id}/calendar.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    events = _events(response.data)
    assert sorted(events) == [
        f"poll-{poll.id}-closes@127.0.0.1",
        f"poll-{poll.id}-opens@127.0.0.1",
    ]
    auth.logout()
    auth.login(world.sued_member)
    assert client.get(f"/polls/{poll.id}/calendar.ics").status_code == 404
