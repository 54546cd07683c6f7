"""Decisions by vote: the motion committee puts an admitted motion to a member poll
and its sealed result, by the poll's rule, makes the motion beschlossen or
abgelehnt with the vote record and the rule on the motion page and in the API
(on the first look or by the tick); in the book's meeting the chair votes on the
accepted amendments first, then on the motion, with paper ballots from the room."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from meetings import attendance, votes
from meetings import services as meeting_services
from models import (
    AmendmentStatus,
    AuditEntry,
    Motion,
    MotionAmendment,
    MotionDecision,
    MotionStatus,
    Poll,
    utcnow,
)
from motions import amendments, services
from ortsverein.local_time import to_local
from tests.factories import close_now, fresh, make_meeting, meeting_action

from .conftest import act, make_book, submit
from .test_api import Api


def _page(response) -> str:
    return response.get_data(as_text=True)


def _as(auth, client, member):
    client.get("/")
    auth.logout()
    auth.login(member)


def _vote(auth, client, member, poll, label):
    _as(auth, client, member)
    option = next(o.id for o in poll.options if o.label == label)
    response = auth.post(f"/polls/{poll.id}/vote", {"choice": option, "confirm": "y"})
    assert 'id="receipt-code"' in _page(response), _page(response)[:2000]


def _admitted(app, session, world, book):
    with app.app_context():
        motion = submit(session, book, world.member)
        act(session, services.change_status, world.organiser, motion, "admitted")
    return motion


def _start_poll(auth, client, world, motion):
    _as(auth, client, world.organiser)
    page = _page(client.get(f"/motions/{motion.id}"))
    assert 'name="closes_at"' in page
    closes = to_local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = auth.post(
        f"/motions/{motion.id}/vote", {"closes_at": closes}, follow_redirects=True
    )
    assert "Die Abstimmung über den Antrag hat begonnen." in _page(response)
    return response


def test_member_poll_decides_the_motion_on_the_first_look(
    app, session, world, auth, client, book
):
    motion = _admitted(app, session, world, book)
    page = _page(_start_poll(auth, client, world, motion))
    assert "Abstimmung läuft" in page and 'name="closes_at"' not in page
    fresh(session)
    decision = session.scalars(select(MotionDecision)).one()
    poll = session.get(Poll, decision.poll_id)
    assert poll.kind.value == "yes_no_abstain" and poll.title.startswith("A1: ")
    _vote(auth, client, world.member, poll, "Ja")
    _vote(auth, client, world.board, poll, "Ja")
    _vote(auth, client, world.organiser, poll, "Nein")
    # While the poll runs nothing is decided, even on a look at the motion.
    _page(client.get(f"/motions/{motion.id}"))
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.ADMITTED
    close_now(session, poll)

    page = _page(client.get(f"/motions/{motion.id}"))
    assert "beschlossen" in page
    assert "2 Ja, 1 Nein, 0 Enthaltungen" in page
    assert "Regel: einfache Mehrheit" in page
    fresh(session)
    motion = session.get(Motion, motion.id)
    assert motion.status == MotionStatus.ADOPTED
    assert motion.history[-1].to_status == MotionStatus.ADOPTED
    decision = session.get(MotionDecision, decision.id)
    assert (decision.outcome, decision.yes, decision.no, decision.abstain) == (
        "adopted",
        2,
        1,
        0,
    )
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"motion.vote_started", "motion.decided"} <= actions

    body = Api(client, world.board)("GET", f"/motions/{motion.id}")
    assert body["status"] == "adopted"
    assert body["decision"]["outcome"] == "adopted"
    assert (body["decision"]["yes"], body["decision"]["no"]) == (2, 1)
    assert body["decision"]["poll_id"] == poll.id
    assert body["decision"]["majority"] == "simple"
    assert body["decision"]["rule"].startswith("einfache Mehrheit")
    listed = Api(client, world.board)("GET", f"/motion-books/{book.id}/motions")
    assert listed["items"][0]["votes"][0]["status"] == "decided"


def test_the_tick_rejects_a_motion_without_majority(
    app, session, world, auth, client, book
):
    motion = _admitted(app, session, world, book)
    _start_poll(auth, client, world, motion)
    fresh(session)
    poll = session.get(Poll, session.scalars(select(MotionDecision.poll_id)).one())
    _vote(auth, client, world.member, poll, "Ja")
    _vote(auth, client, world.board, poll, "Nein")
    _vote(auth, client, world.organiser, poll, "Enthaltung")
    fresh(session)
    close_now(session, poll)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 motion vote(s) decided" in result.output
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.REJECTED
    again = app.test_cli_runner().invoke(args=["tick"])
    assert "motion vote" not in again.output  # decided once
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "1 Ja, 1 Nein, 1 Enthaltungen" in page


def test_only_the_committee_starts_a_poll_and_only_on_an_admitted_motion(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = submit(session, book, world.member)
    _as(auth, client, world.organiser)
    closes = to_local(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = _page(
        auth.post(
            f"/motions/{motion.id}/vote", {"closes_at": closes}, follow_redirects=True
        )
    )
    assert "über ihn wird nicht abgestimmt" in refused
    act(session, services.change_status, world.organiser, motion, "admitted")
    past = auth.post(
        f"/motions/{motion.id}/vote", {"closes_at": ""}, follow_redirects=True
    )
    assert "wann die Abstimmung endet" in _page(past)
    _as(auth, client, world.board)
    assert 'name="closes_at"' not in _page(client.get(f"/motions/{motion.id}"))
    response = auth.post(f"/motions/{motion.id}/vote", {"closes_at": closes})
    assert response.status_code == 404
    fresh(session)
    assert session.scalars(select(MotionDecision)).all() == []


def test_meeting_votes_amendments_first_then_the_motion_with_paper_ballots(
    app, session, world, auth, client
):
    meeting = make_meeting(session, world.nord, world.organiser)
    with app.app_context():
        book = make_book(
            session,
            world.nord,
            world.organiser,
            occasion="meeting",
            meeting_id=meeting.id,
        )
        motion = submit(
            session,
            book,
            world.member,
            text="Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke.",
        )
        first = act(
            session,
            amendments.propose,
            world.board,
            motion,
            1,
            1,
            "Der Ortsverein fordert sichere Radwege.",
        )
        act(session, amendments.decide, world.organiser, motion, first.id, True)
        act(session, services.change_status, world.organiser, motion, "admitted")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    for member in (world.member, world.organiser):
        meeting_action(session, attendance.check_in, member, meeting)
    meeting_action(
        session, attendance.room_check_in, world.organiser, meeting, world.board.id
    )

    _as(auth, client, world.organiser)
    page = _page(client.get(f"/motions/{motion.id}"))
    assert "Abstimmung über Änderungsantrag Ä1 starten" in page
    assert "Abstimmung über den Antrag starten" not in page
    assert 'name="closes_at"' not in page  # the chair closes a live vote
    # The motion waits for its amendments, also when its form is sent anyway.
    book_page = _page(client.get(f"/motions/books/{book.id}"))
    assert f'href="/motions/meetings/{meeting.id}"' in book_page
    early = _page(auth.post(f"/motions/{motion.id}/vote/live", follow_redirects=True))
    assert "Zuerst wird über die Änderungsanträge abgestimmt: Ä1." in early

    response = auth.post(
        f"/motions/{motion.id}/amendments/{first.id}/vote", follow_redirects=True
    )
    assert "Die Abstimmung läuft" in _page(response)
    fresh(session)
    poll = session.get(Poll, session.scalars(select(MotionDecision.poll_id)).one())
    assert poll.meeting_id == meeting.id and poll.electorate_size == 3
    room = _page(client.get(f"/meetings/{meeting.id}"))
    assert poll.title in room  # the room shows it as its running vote
    _vote(auth, client, world.member, poll, "Nein")
    _vote(auth, client, world.organiser, poll, "Nein")
    yes, no = (next(o.id for o in poll.options if o.label == w) for w in ("Ja", "Nein"))
    meeting_action(
        session,
        votes.paper_votes,
        world.organiser,
        meeting,
        poll.id,
        [world.board.id],
        {yes: 1},
        0,
    )
    _as(auth, client, world.organiser)
    page = _page(auth.post(f"/motions/{motion.id}/vote/close", follow_redirects=True))
    assert "Die Abstimmung ist geschlossen und ausgezählt." in page
    assert "1 Ja, 2 Nein, 0 Enthaltungen" in page
    fresh(session)
    assert session.get(MotionAmendment, first.id).status == AmendmentStatus.REJECTED
    assert session.get(Motion, motion.id).status == MotionStatus.ADMITTED

    page = _page(client.get(f"/motions/{motion.id}"))
    assert "Abstimmung über den Antrag starten" in page
    auth.post(f"/motions/{motion.id}/vote/live")
    fresh(session)
    second = session.scalars(
        select(MotionDecision).where(MotionDecision.amendment_id.is_(None))
    ).one()
    poll = session.get(Poll, second.poll_id)
    for member in (world.member, world.organiser):
        _vote(auth, client, member, poll, "Ja")
    _as(auth, client, world.organiser)
    page = _page(auth.post(f"/motions/{motion.id}/vote/close", follow_redirects=True))
    assert "2 Ja, 0 Nein, 0 Enthaltungen" in page
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.ADOPTED
    body = Api(client, world.board)("GET", f"/motions/{motion.id}")
    assert body["decision"]["meeting_id"] == meeting.id
    assert [
        v["amendment"]["label"] if v["amendment"] else None for v in body["votes"]
    ] == ["Ä1", None]
    assert re.search(r"Regel: einfache Mehrheit", page)


def test_openapi_describes_the_decision_of_a_motion(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    motion = schemas["Motion"]["properties"]
    assert {"decision", "votes"} <= set(motion)
    vote = schemas["MotionVote"]["properties"]
    assert {"outcome", "yes", "no", "abstain", "majority", "rule", "poll_id"} <= set(
        vote
    )


def test_agenda_item_lists_a_motion_and_the_chair_runs_its_vote_there(
    app, session, world, auth, client, book
):
    motion = _admitted(app, session, world, book)
    meeting = make_meeting(session, world.nord, world.organiser)
    item = meeting.items[1]
    _as(auth, client, world.member)
    response = auth.post(
        f"/motions/meetings/{meeting.id}", {"item": item.id, "motion": motion.id}
    )
    assert response.status_code == 404
    _as(auth, client, world.organiser)
    page = _page(client.get(f"/motions/meetings/{meeting.id}"))
    assert "Antrag auf die Tagesordnung setzen" in page
    response = auth.post(
        f"/motions/meetings/{meeting.id}",
        {"item": item.id, "motion": motion.id},
        follow_redirects=True,
    )
    page = _page(response)
    assert "Der Antrag steht auf der Tagesordnung." in page
    listed = page[page.index(f'id="item-{item.id}"') :]
    assert f"{motion.number}: {motion.title}" in listed
    twice = auth.post(
        f"/motions/meetings/{meeting.id}",
        {"item": item.id, "motion": motion.id},
        follow_redirects=True,
    )
    assert "steht bereits auf diesem Punkt" in _page(twice)
    # Before the meeting runs the committee would still start a member poll.
    assert 'name="closes_at"' in _page(client.get(f"/motions/{motion.id}"))

    meeting_action(session, meeting_services.start, world.organiser, meeting)
    for member in (world.member, world.board, world.organiser):
        meeting_action(session, attendance.check_in, member, meeting)
    _as(auth, client, world.organiser)
    motion_page = _page(client.get(f"/motions/{motion.id}"))
    assert "Auf der Tagesordnung:" in motion_page and meeting.title in motion_page
    assert 'name="closes_at"' not in motion_page  # the meeting decides now
    page = _page(client.get(f"/motions/meetings/{meeting.id}"))
    assert "Abstimmung über den Antrag starten" in page
    auth.post(f"/motions/{motion.id}/vote/live")
    fresh(session)
    poll = session.get(Poll, session.scalars(select(MotionDecision.poll_id)).one())
    assert poll.meeting_id == meeting.id and poll.electorate_size == 3
    _vote(auth, client, world.member, poll, "Nein")
    _vote(auth, client, world.board, poll, "Nein")
    _vote(auth, client, world.organiser, poll, "Ja")
    _as(auth, client, world.organiser)
    assert "Abstimmung schließen" in _page(
        client.get(f"/motions/meetings/{meeting.id}")
    )
    auth.post(f"/motions/{motion.id}/vote/close")
    page = _page(client.get(f"/motions/meetings/{meeting.id}"))
    assert "1 Ja, 2 Nein, 0 Enthaltungen" in page
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.REJECTED

    removed = auth.post(
        f"/motions/meetings/{meeting.id}/items/{item.id}/motions/{motion.id}/remove",
        follow_redirects=True,
    )
    page = _page(removed)
    assert "Der Antrag ist von der Tagesordnung genommen." in page
    assert f"{motion.number}: {motion.title}" not in page


def _meeting_motion(app, session, world, changes):
    """A motion of a running meeting's book with accepted amendments (first line,
    last line, new text), the member and the organiser (chair) checked in."""
    meeting = make_meeting(session, world.nord, world.organiser)
    with app.app_context():
        book = make_book(
            session,
            world.nord,
            world.organiser,
            occasion="meeting",
            meeting_id=meeting.id,
        )
        motion = submit(
            session,
            book,
            world.member,
            text="Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke.",
        )
        rows = []
        for first, last, text in changes:
            row = act(
                session, amendments.propose, world.board, motion, first, last, text
            )
            act(session, amendments.decide, world.organiser, motion, row.id, True)
            rows.append(row)
        act(session, services.change_status, world.organiser, motion, "admitted")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    for member in (world.member, world.organiser):
        meeting_action(session, attendance.check_in, member, meeting)
    return meeting, motion, rows


def _live_vote(auth, client, session, world, motion, url, answer):
    """The chair starts a live vote, both present vote `answer`, the chair closes
    it; returns the closed vote's poll and the motion page after closing."""
    _as(auth, client, world.organiser)
    page = _page(auth.post(url, follow_redirects=True))
    assert "Die Abstimmung läuft" in page, page[:3000]
    fresh(session)
    running = session.scalars(
        select(MotionDecision).where(MotionDecision.decided_at.is_(None))
    ).one()
    poll = session.get(Poll, running.poll_id)
    for member in (world.member, world.organiser):
        _vote(auth, client, member, poll, answer)
    _as(auth, client, world.organiser)
    page = _page(auth.post(f"/motions/{motion.id}/vote/close", follow_redirects=True))
    assert "Die Abstimmung ist geschlossen und ausgezählt." in page
    return poll, page


def test_the_meeting_votes_on_the_motion_as_amended_after_its_amendments(
    app, session, world, auth, client
):
    meeting, motion, (first, second) = _meeting_motion(
        app,
        session,
        world,
        [
            (1, 1, "Der Ortsverein fordert sichere Radwege."),
            (2, 2, "Und mehr Bänke."),
        ],
    )
    base = f"/motions/{motion.id}/amendments"
    _live_vote(auth, client, session, world, motion, f"{base}/{first.id}/vote", "Ja")
    fresh(session)
    # One amendment is still to be decided: nothing is merged yet.
    assert session.get(MotionAmendment, first.id).status == AmendmentStatus.ACCEPTED
    assert session.get(Motion, motion.id).version == 1
    _poll, page = _live_vote(
        auth, client, session, world, motion, f"{base}/{second.id}/vote", "Ja"
    )
    # The last one decided: both adopted ones make version 2, the motion as amended.
    fresh(session)
    consolidated = session.get(Motion, motion.id)
    assert consolidated.version == 2
    assert (
        consolidated.text
        == "Der Ortsverein fordert sichere Radwege.\n\nUnd mehr Bänke."
    )
    for row in (first, second):
        merged = session.get(MotionAmendment, row.id)
        assert (merged.status, merged.merged_into) == (AmendmentStatus.MERGED, 2)
    assert consolidated.status == MotionStatus.ADMITTED
    assert (
        "Abstimmung über den Antrag in der geänderten Fassung (Fassung 2) starten"
        in page
    )
    assert (
        "Abgestimmt wird über den Antrag in der geänderten Fassung (Fassung 2)" in page
    )
    assert "sichere Radwege" in page  # the numbered text is the new version
    versions = _page(client.get(f"/motions/{motion.id}/versions"))
    assert "Fassung 2" in versions
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.action == "motion.amendments_consolidated")
    ).one()

    poll, page = _live_vote(
        auth, client, session, world, motion, f"/motions/{motion.id}/vote/live", "Ja"
    )
    assert "in der geänderten Fassung 2" in poll.title
    assert poll.body == consolidated.text
    assert "Antrag in der geänderten Fassung (Fassung 2)" in page
    assert "2 Ja, 0 Nein, 0 Enthaltungen" in page
    fresh(session)
    assert session.get(Motion, motion.id).status == MotionStatus.ADOPTED
    room = _page(client.get(f"/meetings/{meeting.id}"))
    assert poll.title in room


def test_overlapping_adopted_amendments_tell_the_chair_what_to_do(
    app, session, world, auth, client
):
    _meeting, motion, (first, second) = _meeting_motion(
        app,
        session,
        world,
        [
            (1, 1, "Der Ortsverein fordert sichere Radwege."),
            (1, 2, "Der Ortsverein fordert breite Radwege und Bänke."),
        ],
    )
    base = f"/motions/{motion.id}/amendments"
    _live_vote(auth, client, session, world, motion, f"{base}/{first.id}/vote", "Ja")
    _poll, page = _live_vote(
        auth, client, session, world, motion, f"{base}/{second.id}/vote", "Ja"
    )
    clash = "ändern dieselben Zeilen; nur einer von beiden kann übernommen werden."
    assert clash in page and "einen der angenommenen Änderungsanträge ablehnen" in page
    fresh(session)
    assert session.get(Motion, motion.id).version == 1
    for row in (first, second):
        assert session.get(MotionAmendment, row.id).status == AmendmentStatus.ACCEPTED
    # Starting the vote on the motion anyway: the message, not a 500, no vote.
    response = auth.post(f"/motions/{motion.id}/vote/live", follow_redirects=True)
    assert response.status_code == 200 and clash in _page(response)
    fresh(session)
    assert (
        session.scalars(
            select(MotionDecision).where(MotionDecision.amendment_id.is_(None))
        ).all()
        == []
    )

    # The committee rejects the second; the vote on the motion makes version 2.
    with app.app_context():
        act(session, amendments.decide, world.organiser, motion, second.id, False)
    poll, page = _live_vote(
        auth, client, session, world, motion, f"/motions/{motion.id}/vote/live", "Nein"
    )
    assert "in der geänderten Fassung 2" in poll.title
    fresh(session)
    motion = session.get(Motion, motion.id)
    assert motion.version == 2 and motion.text.startswith(
        "Der Ortsverein fordert sichere"
    )
    assert motion.status == MotionStatus.REJECTED
    assert session.get(MotionAmendment, first.id).status == AmendmentStatus.MERGED
