"""Meeting invitations: once, to every active member of the subtree, as a
notification and an email with a calendar entry; and the .ics download."""

from __future__ import annotations

import email
from datetime import UTC, timedelta
from email import policy
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from meetings import invitations, services
from models import AuditEntry, Meeting, Notification, utcnow
from ortsverein.errors import Conflict
from tests.factories import PASSWORD, _through_service, fresh


@pytest.fixture
def meeting(app, session, world):
    starts = utcnow().replace(microsecond=0) + timedelta(days=7)
    data = services.MeetingInput(
        org_id=world.nord.id,
        title="Jahreshauptversammlung",
        body="Mit Vorstandswahl.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        items=[services.ItemInput("Bericht"), services.ItemInput("Wahlen")],
    )
    with app.app_context():
        return _through_service(session, services.create_meeting, world.organiser, data)


def _mails(app) -> list:
    folder = Path(app.instance_path) / "mail"
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in folder.glob("*.eml")
    ]


def _calendar(message) -> Calendar:
    (part,) = [p for p in message.walk() if p.get_filename()]
    assert part.get_filename().endswith(".ics")
    assert part.get_content_type() == "text/calendar"
    return Calendar.from_ical(part.get_payload(decode=True))


def test_organiser_invites_the_subtree(app, meeting, world, auth, session):
    auth.login(world.organiser)
    response = auth.post(f"/meetings/{meeting.id}/invite")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    fresh(session)
    assert session.get(Meeting, meeting.id).invited_at is not None
    notes = session.scalars(
        select(Notification).where(Notification.kind == "meeting_invitation")
    ).all()
    nord = {world.admin.id, world.board.id, world.organiser.id, world.member.id}
    assert {n.member_id for n in notes} == nord
    assert {n.url for n in notes} == {f"/meetings/{meeting.id}"}
    assert {n.subject for n in notes} == {"Jahreshauptversammlung"}
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting.invited")
    ).one()

    mails = _mails(app)
    assert sorted(m["To"] for m in mails) == sorted(
        m.email for m in (world.admin, world.board, world.organiser, world.member)
    )
    message = mails[0]
    assert message["Subject"] == "Einladung: Jahreshauptversammlung"
    text = message.get_body(("plain",)).get_content()
    assert "Jahreshauptversammlung" in text and "2. Wahlen" in text
    assert f"/meetings/{meeting.id}" in text
    (event,) = _calendar(message).walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at.astimezone(UTC)
    assert event.decoded("dtend") == meeting.ends_at.astimezone(UTC)
    assert str(event["summary"]) == "Jahreshauptversammlung"
    assert str(event["uid"]).startswith(f"meeting-{meeting.id}@")


def test_second_invitation_is_refused(app, meeting, world, auth, session):
    auth.login(world.organiser)
    auth.post(f"/meetings/{meeting.id}/invite")
    sent = len(_mails(app))
    response = auth.post(f"/meetings/{meeting.id}/invite", follow_redirects=False)
    assert response.status_code == 302
    assert len(_mails(app)) == sent
    fresh(session)
    assert (
        len(
            session.scalars(
                select(Notification).where(Notification.member_id == world.member.id)
            ).all()
        )
        == 1
    )
    with app.test_request_context(), pytest.raises(Conflict):
        invitations.send_invitations(
            session, world.organiser, session.get(Meeting, meeting.id)
        )


def test_other_branch_gets_nothing(app, meeting, world, auth, session):
    auth.login(world.organiser)
    auth.post(f"/meetings/{meeting.id}/invite")
    fresh(session)
    assert not session.scalars(
        select(Notification).where(
            Notification.member_id.in_([world.sued_member.id, world.sued_board.id])
        )
    ).all()
    recipients = {m["To"] for m in _mails(app)}
    assert world.sued_member.email not in recipients


@pytest.mark.parametrize("who", ["member", "board", "sued_member"])
def test_only_organisers_invite(app, meeting, world, auth, session, who):
    auth.login(getattr(world, who))
    assert auth.post(f"/meetings/{meeting.id}/invite").status_code == 404
    fresh(session)
    assert session.get(Meeting, meeting.id).invited_at is None
    assert not _mails(app)


def test_calendar_download(meeting, world, auth, client):
    auth.login(world.member)
    response = client.get(f"/meetings/{meeting.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert str(cal["method"]) == "PUBLISH" and cal["prodid"]
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at.astimezone(UTC)
    assert str(event["location"]).endswith(f"/meetings/{meeting.id}")


def test_calendar_hidden_from_other_branches(meeting, world, auth, client):
    auth.login(world.sued_member)
    assert client.get(f"/meetings/{meeting.id}/calendar.ics").status_code == 404


def test_no_invitation_to_a_cancelled_meeting(app, meeting, world, session):
    with app.app_context():
        _through_service(session, services.cancel, world.organiser, meeting)
        with app.test_request_context(), pytest.raises(Conflict):
            invitations.send_invitations(session, world.organiser, meeting)
    session.rollback()
    assert not _mails(app)


def _input(meeting, **changes) -> services.MeetingInput:
    values = {
        "org_id": meeting.organisation_id,
        "title": meeting.title,
        "body": meeting.body,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "items": [services.ItemInput(i.title) for i in meeting.items],
    }
    values.update(changes)
    items = values.pop("items")
    return services.MeetingInput(items=items, **values)


def _edit(app, session, world, meeting, **changes):
    with app.app_context():
        _through_service(
            session,
            services.update_meeting,
            world.organiser,
            meeting,
            _input(meeting, **changes),
        )


def _move(app, session, world, meeting):
    """The organiser moves the meeting a day later; returns the new start."""
    later = meeting.starts_at + timedelta(days=1)
    _edit(
        app,
        session,
        world,
        meeting,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
    )
    return later


def _invited(app, auth, session, world, meeting):
    auth.login(world.organiser)
    assert auth.post(f"/meetings/{meeting.id}/invite").status_code == 302
    for path in (Path(app.instance_path) / "mail").glob("*.eml"):
        path.unlink()
    fresh(session)
    return session.get(Meeting, meeting.id)


def test_moving_an_invited_meeting_sends_the_new_time(
    app, meeting, world, auth, session
):
    meeting = _invited(app, auth, session, world, meeting)
    later = _move(app, session, world, meeting)
    mails = _mails(app)
    nord = (world.admin, world.board, world.organiser, world.member)
    assert sorted(m["To"] for m in mails) == sorted(m.email for m in nord)
    assert mails[0]["Subject"] == "Geändert: Jahreshauptversammlung"
    assert "verlegt" in mails[0].get_body(("plain",)).get_content()
    (event,) = _calendar(mails[0]).walk("VEVENT")
    assert event.decoded("dtstart") == later.astimezone(UTC)
    assert int(event["sequence"]) == 1
    assert str(event["uid"]).startswith(f"meeting-{meeting.id}@")  # the same entry
    fresh(session)
    notes = session.scalars(
        select(Notification).where(Notification.kind == "meeting_changed")
    ).all()
    assert {n.member_id for n in notes} == {m.id for m in nord}

    # a change of the agenda alone is no new calendar entry for everyone
    for path in (Path(app.instance_path) / "mail").glob("*.eml"):
        path.unlink()
    meeting = session.get(Meeting, meeting.id)
    items = [services.ItemInput(i.title) for i in meeting.items]
    _edit(app, session, world, meeting, items=[*items, services.ItemInput("Neu")])
    assert not _mails(app)


def test_cancelling_an_invited_meeting_tells_the_invitees(
    app, meeting, world, auth, session, client
):
    meeting = _invited(app, auth, session, world, meeting)
    assert auth.post(f"/meetings/{meeting.id}/cancel").status_code == 302
    mails = _mails(app)
    assert len(mails) == 4
    assert mails[0]["Subject"] == "Abgesagt: Jahreshauptversammlung"
    assert "abgesagt" in mails[0].get_body(("plain",)).get_content()
    (event,) = _calendar(mails[0]).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    fresh(session)
    assert session.scalars(
        select(Notification).where(
            Notification.kind == "meeting_cancelled",
            Notification.member_id == world.member.id,
        )
    ).one()
    # the download says the same as the last email
    auth.login(world.member)
    (event,) = Calendar.from_ical(
        client.get(f"/meetings/{meeting.id}/calendar.ics").data
    ).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


def test_changes_before_the_invitation_send_nothing(app, meeting, world, session):
    _move(app, session, world, meeting)
    with app.app_context():
        _through_service(session, services.cancel, world.organiser, meeting)
    assert not _mails(app)
    fresh(session)
    assert session.get(Meeting, meeting.id).calendar_sequence == 0


def _api_headers(client, member) -> dict:
    response = client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_calendar_over_the_api(meeting, world, client):
    url = f"/api/v1/meetings/{meeting.id}/calendar.ics"
    response = client.get(url, headers=_api_headers(client, world.member))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == meeting.title
    hidden = client.get(url, headers=_api_headers(client, world.sued_member))
    assert hidden.status_code == 404
    assert hidden.get_json()["error"]["code"] == "not_found"
    assert client.get(url).status_code == 401
