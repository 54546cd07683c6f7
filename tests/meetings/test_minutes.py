"""The minutes of an ended meeting: built through the services (start, attendance,
speakers, a live vote, end), downloaded by the board as PDF, Markdown and JSON."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from meetings import agenda, attendance, minutes, services, speakers, votes
from models import AuditEntry, utcnow
from polls import casting
from polls import services as polls
from tests.factories import PASSWORD, _through_service, fresh


def _meeting(session, world, forums):
    starts = utcnow().replace(microsecond=0) + timedelta(hours=1)
    data = services.MeetingInput(
        org_id=world.nord.id,
        title="Mitgliederversammlung „Frühjahr“",
        body="Bitte pünktlich.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        quorum=3,
        chair_emails=[world.organiser.email],
        items=[
            services.ItemInput("Lastenrad", "Soll der OV ein **Lastenrad** kaufen?"),
            services.ItemInput("Verschiedenes"),
        ],
        forum_id=forums.nord.id,
    )
    return _through_service(session, services.create_meeting, world.organiser, data)


@pytest.fixture
def running(app, session, world, forums):
    """A running meeting: three members online, the admin in the room, two speeches
    on the first item and a closed secret vote (2 yes, 1 no)."""
    with app.app_context():
        meeting = _meeting(session, world, forums)
        chair = world.organiser
        _through_service(session, services.start, chair, meeting)
        for member in (world.member, world.board, chair):
            _through_service(session, attendance.check_in, member, meeting)
        _through_service(
            session, attendance.room_check_in, chair, meeting, world.admin.id
        )
        _through_service(session, speakers.raise_hand, world.member, meeting)
        _through_service(session, speakers.raise_hand, world.board, meeting)
        _through_service(session, speakers.call_next, chair, meeting)
        _through_service(session, speakers.call_next, chair, meeting)
        _through_service(session, speakers.finish, chair, meeting)
        now = utcnow()
        vote = polls.PollInput(
            org_id=world.nord.id,
            title="Lastenrad anschaffen?",
            body="",
            kind="yes_no_abstain",
            options=[],
            secret=True,
            opens_at=now,
            closes_at=now + timedelta(hours=1),
        )
        poll = _through_service(session, votes.start_vote, chair, meeting, vote)
        yes, no, _abstain = (o.id for o in poll.options)
        for member, choice in ((world.member, yes), (world.board, yes), (chair, no)):
            _through_service(session, casting.cast, poll, member, [choice])
        _through_service(session, votes.close_vote, chair, meeting, poll.id)
        _through_service(session, agenda.next_item, chair, meeting)
    return meeting


@pytest.fixture
def ended(app, session, world, running):
    with app.app_context():
        _through_service(session, services.end, world.organiser, running)
    return running


def test_board_downloads_the_pdf(ended, world, auth, client):
    auth.login(world.board)
    response = client.get(f"/meetings/{ended.id}/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="protokoll-sitzung-{ended.id}.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == "Protokoll: Mitgliederversammlung „Frühjahr“"
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Mitgliederversammlung „Frühjahr“" in text
    for member in (world.member, world.board, world.organiser, world.admin):
        assert member.name in text
    assert "TOP 1: Lastenrad" in text and "TOP 2: Verschiedenes" in text
    assert "Redeliste" in text
    assert "Lastenrad anschaffen?" in text
    assert "Ergebnis: angenommen" in text
    assert "Ja: 2, Nein: 1, Enthaltung: 0" in text
    assert "im Raum" in text
    assert "Protokoll geprüft" in text and "Unterschrift" in text


def test_json_has_the_whole_record(ended, world, auth, client, session):
    auth.login(world.board)
    response = client.get(f"/meetings/{ended.id}/minutes.json")
    assert response.status_code == 200
    rec = json.loads(response.data)
    fresh(session)
    meeting = rec["meeting"]
    assert meeting["title"] == "Mitgliederversammlung „Frühjahr“"
    assert meeting["organisation"]["name"] == "OV Nord"
    assert meeting["started_at"] and meeting["ended_at"]
    assert meeting["quorum"] == 3 and meeting["chairs"] == [world.organiser.name]
    att = rec["attendance"]
    assert att["distinct"] == 4 and att["max_present"] == 4
    assert {s["name"] for s in att["stretches"]} == {
        world.member.name,
        world.board.name,
        world.organiser.name,
        world.admin.name,
    }
    assert [s["in_room"] for s in att["stretches"]].count(True) == 1
    assert all(s["left_at"] for s in att["stretches"])  # ending closed them all
    first, second = rec["items"]
    assert (first["number"], first["title"]) == (1, "Lastenrad")
    assert first["body"] == "Soll der OV ein **Lastenrad** kaufen?"
    assert (
        first["thread_url"].startswith("http")
        and "/forums/threads/" in first["thread_url"]
    )
    assert second["title"] == "Verschiedenes" and second["opened_at"]
    assert [s["name"] for s in first["speakers"]] == [
        world.member.name,
        world.board.name,
    ]
    assert all(s["duration_seconds"] >= 0 for s in first["speakers"])
    assert second["speakers"] == []
    (decision,) = rec["decisions"]
    assert decision["agenda_item_id"] == first["id"]
    assert decision["title"] == "Lastenrad anschaffen?"
    assert decision["secret"] is True and decision["kind"] == "yes_no_abstain"
    assert (decision["electorate"], decision["ballots"]) == (4, 3)
    assert decision["counts"] == {"Ja": 2, "Nein": 1, "Enthaltung": 0}
    assert decision["outcome_words"] == "angenommen"
    assert decision["majority_words"] == "einfache Mehrheit"
    assert decision["quorum_met"] is True
    assert len(decision["ballot_digest"]) == 64
    assert rec["exported_by"]["name"] == world.board.name


def test_markdown(ended, world, auth, client):
    auth.login(world.board)
    response = client.get(f"/meetings/{ended.id}/minutes.md")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    body = response.get_data(as_text=True)
    assert body.startswith("# Protokoll: Mitgliederversammlung „Frühjahr“")
    assert "## Anwesenheit" in body and f"| {world.admin.name} | im Raum |" in body
    assert "### TOP 1: Lastenrad" in body
    assert f"1. {world.member.name} (" in body
    assert "> Ergebnis: angenommen" in body
    assert "Protokoll geprüft:" in body


def test_export_is_audited(ended, world, auth, client, session):
    auth.login(world.board)
    assert client.get(f"/meetings/{ended.id}/minutes.pdf").status_code == 200
    fresh(session)
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting.minutes_exported")
    ).one()
    assert entry.actor_id == world.board.id
    assert (entry.target_type, entry.target_id) == ("meeting", ended.id)
    assert json.loads(entry.details) == {"format": "pdf"}


@pytest.mark.parametrize("who", ["member", "organiser", "sued_board"])
def test_only_the_board_gets_the_minutes(ended, world, auth, client, who):
    auth.login(getattr(world, who))
    assert client.get(f"/meetings/{ended.id}/minutes.pdf").status_code == 404


def test_refused_before_the_meeting_ends(running, world, auth, client, session):
    auth.login(world.board)
    response = client.get(f"/meetings/{running.id}/minutes.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{running.id}")
    fresh(session)
    assert not session.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting.minutes_exported")
    ).all()


def test_max_present_counts_members_not_stretches():
    from types import SimpleNamespace as S

    t = utcnow()
    m = timedelta(minutes=1)
    stretches = [
        S(member_id=1, joined_at=t, left_at=t + 10 * m),
        S(member_id=1, joined_at=t + m, left_at=t + 2 * m),  # also in the room
        S(member_id=2, joined_at=t + 10 * m, left_at=t + 20 * m),  # after 1 left
        S(member_id=3, joined_at=t + 11 * m, left_at=None),
    ]
    assert minutes.max_present(stretches) == 2


def _api_headers(client, member) -> dict:
    response = client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_board_gets_the_minutes_over_the_api(ended, world, client, session):
    headers = _api_headers(client, world.board)
    response = client.get(f"/api/v1/meetings/{ended.id}/minutes", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    rec = response.get_json()
    assert rec["meeting"]["id"] == ended.id
    assert [i["title"] for i in rec["items"]] == ["Lastenrad", "Verschiedenes"]
    assert rec["decisions"][0]["title"] == "Lastenrad anschaffen?"
    assert rec["exported_by"] == {"id": world.board.id, "name": world.board.name}
    fresh(session)
    (entry,) = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "meeting.minutes_exported")
    ).all()
    assert entry.actor_id == world.board.id
    session.commit()


@pytest.mark.parametrize("who", ["member", "organiser", "sued_board"])
def test_api_minutes_are_not_there_for_others(ended, world, client, who):
    headers = _api_headers(client, getattr(world, who))
    response = client.get(f"/api/v1/meetings/{ended.id}/minutes", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    unauthenticated = client.get(f"/api/v1/meetings/{ended.id}/minutes")
    assert unauthenticated.status_code == 401


def test_api_minutes_wait_for_the_end(running, world, client):
    headers = _api_headers(client, world.board)
    response = client.get(f"/api/v1/meetings/{running.id}/minutes", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "meeting_not_ended"
