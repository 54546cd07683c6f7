"""An election held in a meeting: its round is a live vote of the members present
(online and in the room), paper ballots from the room are counted with the online
ones, the chair closes the round from the election's page and records that the
elected person accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meetings import attendance, services, votes
from models import ElectedSeat, ElectionRound, Poll
from ortsverein.errors import ValidationFailed
from tests.factories import fresh, make_meeting, meeting_action


def test_meeting_round_with_paper_ballots_and_acceptance_by_the_chair(
    elections, people, world, session, client, app
):
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    for member in (world.member, people.anna, people.ben):
        meeting_action(session, attendance.check_in, member, meeting)
    for member in (world.board, people.cem):
        meeting_action(
            session, attendance.room_check_in, world.organiser, meeting, member.id
        )
    election = elections.create(meeting_id=str(meeting.id))
    for who in (people.anna, people.ben):
        elections.stand(election, who)
    elections.close_nominations(election)

    page = elections.page(election)
    assert 'name="closes_at"' not in page  # the chair closes a live round
    rnd = elections.start_round(election)
    poll = session.get(Poll, rnd.poll_id)
    assert poll.meeting_id == meeting.id and poll.electorate_size == 5
    room = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert poll.title in room  # the meeting shows the round as its running vote

    anna, ben = elections.option(rnd, people.anna), elections.option(rnd, people.ben)
    elections.vote(world.member, rnd, choice=anna)
    elections.vote(people.anna, rnd, choice=anna)
    elections.vote(people.ben, rnd, choice=ben)
    # The organiser is not present: not in this round's electorate.
    elections.as_(world.organiser)
    response = client.get(f"/polls/{rnd.poll_id}/vote")
    assert response.status_code == 302
    meeting_action(
        session,
        votes.paper_votes,
        world.organiser,
        meeting,
        rnd.poll_id,
        [world.board.id, people.cem.id],
        {anna: 1, ben: 1},
        0,
    )
    response = elections.auth.post(
        f"/elections/{election.id}/rounds/close", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Der Wahlgang ist geschlossen und ausgezählt." in page
    fresh(session)
    [seat] = session.scalars(select(ElectedSeat)).all()
    assert seat.member_id == people.anna.id  # 3 of 5 valid votes
    rows = page[page.index('id="rounds-heading"') :]
    assert "Anna Arndt</th><td>3" in rows and "Ben Brandt</th><td>2" in rows

    response = elections.auth.post(
        f"/elections/seats/{seat.id}/accept", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "hat die Wahl angenommen" in page
    assert f"festgehalten von {world.organiser.name}" in page
    fresh(session)
    seat = session.get(ElectedSeat, seat.id)
    assert seat.acceptance_recorded_by_id == world.organiser.id
    # Recorded once: a second answer is refused.
    again = elections.auth.post(
        f"/elections/seats/{seat.id}/decline", follow_redirects=True
    )
    assert "bereits festgehalten" in again.get_data(as_text=True)


def test_closing_the_round_in_the_meeting_room_counts_it_at_once(
    elections, people, world, session, client, socket_client
):
    """The chair closes the round's vote in the room, not on the election page: the
    round is counted in that request (no tick, no look at the election) and
    result_published reaches the members' sockets."""
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    for member in (world.member, people.anna, people.ben):
        meeting_action(session, attendance.check_in, member, meeting)
    election = elections.create(meeting_id=str(meeting.id))
    for who in (people.anna, people.ben):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    anna, ben = elections.option(rnd, people.anna), elections.option(rnd, people.ben)
    elections.vote(world.member, rnd, choice=ben)
    elections.vote(people.anna, rnd, choice=anna)
    elections.vote(people.ben, rnd, choice=ben)

    elections.as_(world.member)
    sock = socket_client()
    sock.get_received()
    elections.as_(world.organiser)
    response = elections.auth.post(
        f"/meetings/{meeting.id}/votes/{rnd.poll_id}/close", follow_redirects=True
    )
    assert response.status_code == 200
    room = response.get_data(as_text=True)
    # The room says what the election decided (and links to it), not the
    # poll's own rule.
    assert f"Gewählt: {people.ben.name}." in room
    assert f'href="/elections/{election.id}"' in room
    vote = room[room.index('id="vote"') : room.index("</table>")]
    assert "Gewählt ist" not in vote
    fresh(session)
    rnd = session.get(ElectionRound, rnd.id)
    assert rnd.counted_at is not None
    [seat] = session.scalars(select(ElectedSeat)).all()
    assert seat.member_id == people.ben.id  # 2 of 3 valid votes
    published = [m for m in sock.get_received() if m["name"] == "result_published"]
    assert [m["args"][0]["election_id"] for m in published] == [election.id]
    assert published[0]["args"][0]["outcome"] == "elected"


def test_listenwahl_in_a_meeting_room(elections, people, world, session, client):
    """A Listenwahl round as a live vote: members answer each candidate; paper
    totals from the room are refused for this ballot (they are no ballots), the
    paper ballots are entered one by one instead; the
    room shows yes, no and abstain per candidate beside what the election decided,
    and the minutes say them too."""
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    for member in (world.member, people.anna, people.ben):
        meeting_action(session, attendance.check_in, member, meeting)
    meeting_action(
        session, attendance.room_check_in, world.organiser, meeting, world.board.id
    )
    election = elections.create(
        meeting_id=str(meeting.id), seats="2", method="approval", office="Beisitz"
    )
    for who in (people.anna, people.ben):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert session.get(Poll, rnd.poll_id).kind.value == "yes_no_abstain_each"
    anna, ben = elections.option(rnd, people.anna), elections.option(rnd, people.ben)
    with pytest.raises(ValidationFailed) as refused:
        meeting_action(
            session,
            votes.paper_votes,
            world.organiser,
            meeting,
            rnd.poll_id,
            [world.board.id],
            {anna: 1},
            0,
        )
    session.rollback()  # the refused service's write transaction
    assert "lassen sich nur bei" in refused.value.message
    # ... but entered one by one, as written: the board member's paper says no
    # to Ben and nothing beside Anna (an abstention, as on paper).
    elections.as_(world.organiser)
    paper_url = f"/meetings/{meeting.id}/votes/{rnd.poll_id}/paper-ballots"
    room = elections.client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert paper_url in room
    form = elections.client.get(paper_url).get_data(as_text=True)
    assert f'<select id="b0-o{ben}" name="b0-o{ben}"' in form
    response = elections.auth.post(
        paper_url,
        {"rows": "2", "member_id": str(world.board.id), f"b0-o{ben}": "nein"},
    )
    assert response.status_code == 422  # an unknown mark is no answer: no ballot
    assert "Erfasst sind 0 Stimmzettel, angekreuzt 1" in response.get_data(as_text=True)
    response = elections.auth.post(
        paper_url,
        {
            "rows": "2",
            "member_id": str(world.board.id),
            f"b0-o{ben}": "no",
            "action": "save",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    elections.vote(
        world.member, rnd, **{f"answer-{anna}": "yes", f"answer-{ben}": "no"}
    )
    elections.vote(people.anna, rnd, **{f"answer-{anna}": "yes"})
    elections.vote(people.ben, rnd, **{f"answer-{anna}": "no", f"answer-{ben}": "yes"})
    elections.as_(world.organiser)
    response = elections.auth.post(
        f"/meetings/{meeting.id}/votes/{rnd.poll_id}/close", follow_redirects=True
    )
    room = response.get_data(as_text=True)
    # Anna 2 yes 1 no 1 abstain: elected; Ben 1 yes 2 no (one on paper) 1
    # abstain: not more than half, seat open
    assert f"Gewählt: {people.anna.name}; 1 Sitz bleibt offen." in room
    vote = room[room.index('id="vote"') : room.index("</table>")]
    assert f"<td>{people.anna.name}</td><td>2</td><td>1</td><td>1</td>" in vote
    assert f"<td>{people.ben.name}</td><td>1</td><td>2</td><td>1</td>" in vote
    assert "davon 1 auf Papier" in room
    fresh(session)
    [seat] = session.scalars(select(ElectedSeat)).all()
    assert seat.member_id == people.anna.id
