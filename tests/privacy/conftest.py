"""Helpers of the data-rights tests: mails as parsed messages, an app context."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest


@pytest.fixture
def ctx(app):
    """An app context for calling services directly (they translate messages)."""
    with app.test_request_context():
        yield


@pytest.fixture
def mails(app):
    """The mails written so far (no SMTP server in tests), oldest first."""

    def read() -> list[EmailMessage]:
        folder = Path(app.instance_path) / "mail"
        paths = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [
            email.message_from_bytes(p.read_bytes(), policy=default)  # type: ignore[misc]
            for p in paths
        ]

    return read


@pytest.fixture
def seeded(app, session, world):
    with app.test_request_context():
        return _seed(app, session, world)


def _seed(app, session, world):
    """World's organiser with something of every kind stored about them: a role,
    a thread (and so its subscription), an edited post, a report, a notification, an
    attendance and a vote in a secret poll (sealed)."""
    from types import SimpleNamespace

    from discussions.post_actions import edit_post, report_post
    from models import Attendance, Notification
    from polls import casting
    from polls.lifecycle import ensure_current
    from tests.factories import (
        _through_service,
        close_now,
        fresh,
        make_forum,
        make_meeting,
        make_poll,
        make_post,
        make_thread,
    )

    who = world.organiser
    s = SimpleNamespace(member=who)
    forum = make_forum(session, world.nord, who, "Verkehr")
    s.thread = make_thread(session, forum, who, "Radweg Hauptstraße", "Erste Fassung")
    s.post = make_post(session, s.thread, who, "Noch eine Meinung")
    _through_service(session, edit_post, who, s.post.id, "Zweite Fassung der Meinung")
    s.other_post = make_post(session, s.thread, world.member, "Unfreundlicher Ton")
    _through_service(session, report_post, who, s.other_post.id, "Bitte prüfen")
    # (starting the thread subscribed them to it)
    session.add(Notification(member_id=who.id, kind="reply", subject="Eigens gesetzt"))
    s.meeting = make_meeting(
        session, world.nord, world.admin, title="Jahresversammlung"
    )
    session.add(Attendance(meeting_id=s.meeting.id, member_id=who.id, in_room=True))
    session.commit()
    s.poll = make_poll(
        session,
        world.nord,
        world.admin,
        kind="single_choice",
        options=("Zebrastreifen", "Ampelanlage"),
    )
    s.choice = s.poll.options[0]
    s.receipt = casting.cast(session, s.poll, who, [s.choice.id])
    close_now(session, s.poll)
    ensure_current(session, s.poll)  # sealed and tallied
    fresh(session)
    return s
