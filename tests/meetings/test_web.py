"""The meeting room as pages without JavaScript: planning, the home panel, check-in,
the speakers' list, the agenda, a live vote with paper ballots, the discussion."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from meetings import agenda, attendance, services, speakers
from models import Attendance, AuditEntry, Meeting, Poll, SpeakerRequest, Thread
from polls.casting import cast
from tests.factories import fresh, make_meeting, make_member, meeting_action


def _running(session, world, **kw):
    meeting = make_meeting(session, world.nord, world.organiser, **kw)
    meeting_action(session, services.start, world.organiser, meeting)
    return meeting


def test_organiser_plans_a_meeting_and_members_see_it(auth, client, session, world):
    auth.login(world.organiser)
    form = {
        "org": str(world.nord.id),
        "title": "Ortsvereinssitzung März",
        "body": "Wir treffen uns **online**.",
        "starts_at": "2030-03-04T19:30",
        "ends_at": "2030-03-04T18:00",
        "agenda": "Begrüßung\nBericht des Vorstands\nVerschiedenes",
        "forum": "",
        "chairs": "mitglied@example.org",
        "quorum": "3",
        "speaking_minutes": "2",
    }
    response = auth.post("/meetings/new", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Das Ende muss nach dem Beginn liegen." in page
    assert "Bericht des Vorstands" in page  # nothing typed is lost
    response = auth.post("/meetings/new", {**form, "ends_at": "2030-03-04T21:30"})
    assert response.status_code == 302
    fresh(session)
    meeting = session.scalars(select(Meeting)).one()
    assert [i.title for i in meeting.items] == [
        "Begrüßung",
        "Bericht des Vorstands",
        "Verschiedenes",
    ]
    assert meeting.speaking_seconds == 120 and meeting.quorum == 3
    assert meeting.starts_at.hour == 18  # 19:30 in Berlin is 18:30 UTC in March
    assert [c.member_id for c in meeting.chairs] == [world.member.id]

    auth.logout()
    auth.login(world.member)
    assert "Ortsvereinssitzung März" in client.get("/").get_data(as_text=True)
    assert "Ortsvereinssitzung März" in client.get("/meetings/").get_data(as_text=True)
    room = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "noch nicht eröffnet" in room
    assert "Sitzung eröffnen" in room  # named chair
    auth.logout()
    auth.login(world.sued_member)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert "Ortsvereinssitzung" not in client.get("/meetings/").get_data(as_text=True)
    assert auth.post(f"/meetings/{meeting.id}/actions/check_in").status_code == 404


def test_plain_member_cannot_plan_or_run(auth, client, session, world):
    meeting = make_meeting(session, world.nord, world.organiser)
    auth.login(world.member)
    assert client.get("/meetings/new").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/edit").status_code == 404
    auth.post(f"/meetings/{meeting.id}/actions/start")
    fresh(session)
    assert session.get(Meeting, meeting.id).started_at is None


def test_check_in_speakers_and_agenda_without_javascript(auth, client, session, world):
    meeting = _running(session, world)
    auth.login(world.member)
    url = f"/meetings/{meeting.id}"
    page = client.get(url).get_data(as_text=True)
    assert "anwesend melden" in page and "TOP 1: Begrüßung" in page
    auth.post(f"{url}/actions/raise_hand")  # not present yet: refused
    page = client.get(url).get_data(as_text=True)
    assert "Bitte melde dich zuerst als anwesend." in page
    auth.post(f"{url}/actions/check_in")
    auth.post(f"{url}/actions/raise_hand")
    page = client.get(url).get_data(as_text=True)
    assert "Du bist anwesend." in page and "Wortmeldung zurückziehen" in page
    auth.post(f"{url}/actions/raise_hand")
    assert "schon auf der Redeliste" in client.get(url).get_data(as_text=True)

    auth.logout()
    auth.login(world.organiser)
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"Mina \w+ <span class=\"muted\">\(seit", page)  # attendance
    auth.post(f"{url}/actions/next_speaker")
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"Es spricht: Mina \w+", page) and "data-countdown" in page
    second = meeting.items[1]
    auth.post(f"{url}/items/{second.id}/open")
    page = client.get(url).get_data(as_text=True)
    assert "TOP 2: Lastenrad" in page and "Gerade spricht niemand." in page
    auth.post(f"{url}/items", {"item-title": "Sommerfest"})
    assert "Sommerfest" in client.get(url).get_data(as_text=True)

    auth.logout()
    auth.login(world.member)
    auth.post(f"{url}/actions/check_out")
    fresh(session)
    stretch = session.scalars(select(Attendance)).one()
    assert stretch.left_at is not None and not stretch.in_room


def test_live_vote_for_those_present_with_paper_ballots(auth, client, session, world):
    meeting = _running(session, world)
    with session.info["app"].app_context():
        in_room = make_member(session, world.nord, email="saal@example.org")
        absent = make_member(session, world.nord, email="fern@example.org")
        session.commit()
    meeting_action(session, attendance.check_in, world.member, meeting)
    url = f"/meetings/{meeting.id}"
    auth.login(world.organiser)
    page = client.get(url).get_data(as_text=True)
    assert "Im Saal anwesend eintragen" in page
    auth.post(f"{url}/room-attendance", {"member_id": str(in_room.id)})
    response = auth.post(
        f"{url}/votes",
        {
            "vote-title": "Lastenrad anschaffen?",
            "vote-kind": "yes_no_abstain",
            "vote-secret": "y",
            "vote-majority": "simple",
        },
    )
    assert response.status_code == 302
    fresh(session)
    poll = session.scalars(select(Poll).where(Poll.meeting_id == meeting.id)).one()
    assert poll.electorate_size == 2  # the member online and the one in the room
    yes, no, _abstain = poll.options
    page = client.get(url).get_data(as_text=True)
    assert "0 von 2 Stimmberechtigten" in page and "Ergebnis:" not in page

    # Counts that do not add up are refused; then the room's one paper ballot.
    auth.post(
        f"{url}/votes/{poll.id}/paper",
        {"member_id": str(in_room.id), f"count_{yes.id}": "2"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "müssen der Zahl der angekreuzten" in page
    # ... and the form comes back open with what was ticked and typed, once.
    assert f'name="count_{yes.id}" type="number" min="0" value="2"' in page
    assert f'name="member_id" value="{in_room.id}" checked' in page
    page = client.get(url).get_data(as_text=True)
    assert f'name="count_{yes.id}" type="number" min="0" value="0"' in page
    auth.post(
        f"{url}/votes/{poll.id}/paper",
        {"member_id": str(absent.id), f"count_{yes.id}": "1"},
    )
    page = client.get(url).get_data(as_text=True)
    assert f"stimmt auf Papier ab; nicht im Saal: {absent.name}." in page
    # One who attends online votes online: the chair cannot tick them on paper.
    auth.post(
        f"{url}/votes/{poll.id}/paper",
        {"member_id": str(world.member.id), f"count_{yes.id}": "1"},
    )
    page = client.get(url).get_data(as_text=True)
    assert f"nicht im Saal: {world.member.name}." in page
    auth.post(
        f"{url}/votes/{poll.id}/paper",
        {"member_id": str(in_room.id), f"count_{no.id}": "1"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "davon 1 auf Papier" in page
    fresh(session)
    (details,) = session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "poll.paper_votes")
    ).all()
    # who was ticked, and no counts beside their names
    assert json.loads(details) == {"paper_ballots": 1, "paper_voters": [in_room.id]}

    with client.application.test_request_context():
        fresh(session)
        poll = session.get(Poll, poll.id)
        cast(session, poll, world.member, [yes.id])
        for voter in (in_room, absent):  # on paper already; never present
            try:
                cast(session, poll, voter, [yes.id])
            except Exception as err:  # noqa: BLE001
                assert err.code in ("already_voted", "not_eligible")
            else:
                raise AssertionError("a second or ineligible ballot was accepted")
        session.rollback()
    auth.post(f"{url}/votes/{poll.id}/close")
    page = client.get(url).get_data(as_text=True)
    assert "Ergebnis: Der Antrag ist abgelehnt." in page  # the page's sentence
    assert re.search(r"<td>Ja</td><td>1</td>", page)
    assert re.search(r"<td>Nein</td><td>1</td>", page)


def test_end_waits_for_the_running_vote(auth, client, session, world):
    meeting = _running(session, world)
    meeting_action(session, attendance.check_in, world.member, meeting)
    url = f"/meetings/{meeting.id}"
    auth.login(world.organiser)
    auth.post(
        f"{url}/votes",
        {
            "vote-title": "Frage",
            "vote-kind": "yes_no_abstain",
            "vote-majority": "simple",
        },
    )
    auth.post(f"{url}/actions/end")
    assert "zuerst die laufende Abstimmung" in client.get(url).get_data(as_text=True)
    fresh(session)
    poll = session.scalars(select(Poll)).one()
    auth.post(f"{url}/votes/{poll.id}/close")
    auth.post(f"{url}/actions/end")
    fresh(session)
    assert session.get(Meeting, meeting.id).ended_at is not None
    assert session.scalars(select(Attendance)).one().left_at is not None


def test_discussion_in_the_room_lands_in_the_item_thread(
    auth, client, session, world, forums
):
    meeting = make_meeting(
        session, world.nord, world.organiser, forum_id=forums.nord.id
    )
    fresh(session)
    thread_ids = [i.thread_id for i in session.get(Meeting, meeting.id).items]
    assert all(thread_ids)
    meeting_action(session, services.start, world.organiser, meeting)
    auth.login(world.member)
    url = f"/meetings/{meeting.id}"
    response = auth.post(f"{url}/discussion", {"body": "  "})
    assert response.status_code == 422
    response = auth.post(f"{url}/discussion", {"body": "Gute Idee, *ich* bin dafür."})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<em>ich</em> bin dafür" in page
    # Written while TOP 1 was on screen, sent after the chair moved on: it still
    # belongs to TOP 1.
    meeting_action(
        session, agenda.next_item, world.organiser, session.get(Meeting, meeting.id)
    )
    auth.post(
        f"{url}/discussion", {"body": "Noch zu TOP 1", "thread_id": thread_ids[0]}
    )
    fresh(session)
    assert session.get(Thread, thread_ids[0]).post_count == 3  # opening + 2 replies
    assert session.get(Thread, thread_ids[1]).post_count == 1


def test_named_chair_runs_votes_and_moving_on_ends_the_speech(
    auth, client, session, world
):
    meeting = _running(session, world, chair_emails=[world.member.email])
    meeting_action(session, attendance.check_in, world.member, meeting)
    auth.login(world.member)  # a chair without an organiser's role
    url = f"/meetings/{meeting.id}"
    auth.post(f"{url}/actions/raise_hand")
    auth.post(f"{url}/actions/next_speaker")
    response = auth.post(
        f"{url}/votes",
        {
            "vote-title": "Frage",
            "vote-kind": "yes_no_abstain",
            "vote-majority": "simple",
        },
    )
    assert response.status_code == 302
    auth.post(f"{url}/actions/next_item")
    fresh(session)
    assert session.scalars(select(Poll)).one().electorate_size == 1
    speech = session.scalars(select(SpeakerRequest)).one()
    assert speech.called_at is not None and speech.finished_at is not None


@pytest.mark.parametrize("state", ["scheduled", "running", "ended", "cancelled"])
def test_room_renders_for_every_role_in_every_state(
    auth, client, session, world, state
):
    """No role meets a broken page in any state; only the board gets the minutes."""
    meeting = make_meeting(session, world.nord, world.organiser)
    if state != "scheduled" and state != "cancelled":
        meeting_action(session, services.start, world.organiser, meeting)
        meeting_action(session, attendance.check_in, world.member, meeting)
    if state == "ended":
        meeting_action(session, services.end, world.organiser, meeting)
    if state == "cancelled":
        meeting_action(session, services.cancel, world.organiser, meeting)
    for who in (world.member, world.organiser, world.board, world.admin):
        auth.login(who)
        for url in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}?partial=1"):
            response = client.get(url)
            assert response.status_code == 200, (who.email, url)
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        minutes = f"/meetings/{meeting.id}/minutes.pdf" in page
        assert minutes == (state == "ended" and who in (world.board, world.admin))
        assert client.get("/").status_code == 200
        auth.logout()


def test_editing_keeps_item_texts_threads_and_chairs(
    auth, client, session, world, forums
):
    meeting = make_meeting(
        session,
        world.nord,
        world.organiser,
        forum_id=forums.nord.id,
        chair_emails=[world.member.email],
    )
    fresh(session)
    first = session.get(Meeting, meeting.id).items[0]
    auth.login(world.organiser)
    url = f"/meetings/{meeting.id}"
    response = auth.post(
        f"{url}/items/{first.id}/edit", {"title": "Begrüßung", "body": "*Hallo*"}
    )
    assert response.status_code == 302
    page = client.get(f"{url}/edit").get_data(as_text=True)
    assert "mitglied@example.org" in page
    response = auth.post(
        f"{url}/edit",
        {
            "title": "Mitgliederversammlung",
            "body": "",
            "starts_at": "2030-03-04T19:30",
            "ends_at": "2030-03-04T21:30",
            "agenda": "Begrüßung\nNeuer Punkt\nLastenrad",
            "forum": "",
            "chairs": "mitglied@example.org",
            "quorum": "0",
            "speaking_minutes": "3",
        },
    )
    assert response.status_code == 302
    fresh(session)
    edited = session.get(Meeting, meeting.id)
    titles = [i.title for i in edited.items]
    assert titles == ["Begrüßung", "Neuer Punkt", "Lastenrad"]
    kept = edited.items[0]
    assert (kept.id, kept.body, kept.thread_id) == (
        first.id,
        "*Hallo*",
        first.thread_id,
    )
    assert edited.items[2].thread_id is not None  # Lastenrad kept its thread
    assert [c.member_id for c in edited.chairs] == [world.member.id]
    auth.logout()
    auth.login(world.member)  # a named chair words items too, a member does not
    assert client.get(f"{url}/items/{first.id}/edit").status_code == 200
    auth.logout()
    auth.login(world.board)
    assert client.get(f"{url}/items/{first.id}/edit").status_code == 404


def test_renaming_and_repeated_titles_keep_each_items_text(session, world):
    meeting = make_meeting(
        session, world.nord, world.organiser, items=["Bericht", "Lastenrad", "Bericht"]
    )
    fresh(session)
    items = session.get(Meeting, meeting.id).items
    for item, text in zip(items, ("Text 1", "Text 2", "Text 3"), strict=True):
        meeting_action(
            session,
            agenda.edit_item,
            world.organiser,
            session.get(Meeting, meeting.id),
            item.id,
            item.title,
            text,
        )
    fresh(session)
    m = session.get(Meeting, meeting.id)
    data = services.MeetingInput(
        org_id=world.nord.id,
        title=m.title,
        body="",
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        items=[
            services.ItemInput(title=t)
            for t in ("Bericht", "Lastenrad (Antrag)", "Bericht")
        ],
    )
    meeting_action(session, services.update_meeting, world.organiser, m, data)
    fresh(session)
    after = [(i.id, i.title, i.body) for i in session.get(Meeting, meeting.id).items]
    assert after == [
        (items[0].id, "Bericht", "Text 1"),
        (items[1].id, "Lastenrad (Antrag)", "Text 2"),
        (items[2].id, "Bericht", "Text 3"),
    ]


def test_alternating_list_puts_first_time_speakers_first(auth, client, session, world):
    meeting = _running(session, world, alternating=True)
    with session.info["app"].app_context():
        ben = make_member(session, world.nord, email="ben@example.org")
        session.commit()
    for member in (world.member, ben):
        meeting_action(session, attendance.check_in, member, meeting)

    def fresh_meeting():
        fresh(session)
        return session.get(Meeting, meeting.id)

    meeting_action(session, speakers.raise_hand, world.member, fresh_meeting())
    meeting_action(session, speakers.call_next, world.organiser, fresh_meeting())
    meeting_action(session, speakers.finish, world.organiser, fresh_meeting())
    meeting_action(session, speakers.raise_hand, world.member, fresh_meeting())
    meeting_action(session, speakers.raise_hand, ben, fresh_meeting())  # later, new
    with client.application.test_request_context():
        queue = speakers.state(session, fresh_meeting())["queue"]
    assert [q["member"]["id"] for q in queue] == [ben.id, world.member.id]
    assert [q["first_time"] for q in queue] == [True, False]

    auth.login(world.organiser)  # the chair strikes a hand (say, the member left)
    auth.post(f"/meetings/{meeting.id}/speakers/{queue[1]['request_id']}/remove")
    with client.application.test_request_context():
        queue = speakers.state(session, fresh_meeting())["queue"]
    assert [q["member"]["id"] for q in queue] == [ben.id]
