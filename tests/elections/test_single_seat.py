"""A single-seat election from the statutes: nobody has more than half of the
valid votes in round 1, so round 2 is held between the two strongest as a new
poll with its own electorate; the winner accepts the seat in the app."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, ElectedSeat, Election, ElectionStatus
from tests.factories import fresh


def _events(received, name):
    return [r["args"][0] for r in received if r["name"] == name]


def test_second_round_between_the_two_strongest_then_acceptance(
    elections, people, world, session, client, socket_client
):
    election = elections.create()
    elections.as_(world.sued_member)  # another branch: hears nothing
    outsider = socket_client()
    for who in (people.anna, people.ben, people.cem):
        elections.stand(election, who)
    elections.close_nominations(election)

    first = elections.start_round(election)
    assert first.poll.kind.value == "single_choice"
    assert [o.label for o in first.poll.options] == [
        "Anna Arndt",
        "Ben Brandt",
        "Cem Celik",
    ]
    votes = {
        people.anna: people.anna,
        world.member: people.anna,
        people.ben: people.ben,
        world.board: people.ben,
        people.cem: people.cem,
        world.organiser: people.anna,
    }
    # 3 of 6 valid votes is not more than half: a second round is needed.
    for voter, choice in votes.items():
        elections.vote(voter, first, choice=elections.option(first, choice))
    elections.close(first)
    page = elections.page(election)
    assert "Noch nicht ausgezählt" not in page
    assert "Niemand erhält mehr als die Hälfte der 6 gültigen Stimmen" in page
    assert "Ein zweiter Wahlgang ist nötig" in page
    fresh(session)
    assert session.scalars(select(ElectedSeat)).all() == []

    elections.as_(world.member)
    listener = socket_client()
    second = elections.start_round(election)
    assert _events(listener.get_received(), "round_started") == [
        {
            "election_id": election.id,
            "title": "Vorsitz 2027",
            "round": 2,
            "poll_id": second.poll_id,
        }
    ]
    assert second.number == 2
    assert second.poll_id != first.poll_id
    assert [rc.candidacy.member_id for rc in second.candidates] == [
        people.anna.id,
        people.ben.id,
    ]
    for voter in (people.anna, world.member, world.organiser, people.cem):
        elections.vote(voter, second, choice=elections.option(second, people.anna))
    for voter in (people.ben, world.board):
        elections.vote(voter, second, choice=elections.option(second, people.ben))
    elections.close(second)
    elections.as_(world.member)
    listener = socket_client()
    page = elections.page(election)
    received = listener.get_received()
    assert _events(received, "result_published") == [
        {
            "election_id": election.id,
            "title": "Vorsitz 2027",
            "round": 2,
            "outcome": "elected",
        }
    ]
    fresh(session)
    [seat] = session.scalars(select(ElectedSeat)).all()
    assert seat.member_id == people.anna.id and seat.round.number == 2
    assert session.get(Election, election.id).status == ElectionStatus.FINISHED
    assert "Annahme ausstehend" in page
    result = page[page.index('id="result-heading"') :]
    assert "Anna Arndt" in result and "Ben Brandt" not in result

    elections.as_(people.anna)
    home = client.get("/").get_data(as_text=True)
    assert "Nimmst du die Wahl an?" in home
    response = elections.auth.post(
        f"/elections/seats/{seat.id}/accept", follow_redirects=True
    )
    assert "hat die Wahl angenommen" in response.get_data(as_text=True)
    fresh(session)
    assert session.get(ElectedSeat, seat.id).acceptance.value == "accepted"
    assert outsider.get_received() == []
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {
        "election.created",
        "election.nominated",
        "election.nominations_closed",
        "election.round_started",
        "election.counted",
        "election.accepted",
    } <= actions


def test_one_candidate_yes_no_counted_by_the_tick_without_a_page_view(
    elections, people, world, session, app
):
    election = elections.create()
    elections.stand(election, people.anna)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert rnd.poll.kind.value == "yes_no_abstain"
    labels = {o.label: o.id for o in rnd.poll.options}
    for voter in (world.member, world.board, people.anna):
        elections.vote(voter, rnd, choice=labels["Ja"])
    elections.vote(world.organiser, rnd, choice=labels["Nein"])
    elections.close(rnd)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "1 election round(s) counted" in result.output
    fresh(session)
    [seat] = session.scalars(select(ElectedSeat)).all()
    assert seat.member_id == people.anna.id
    page = elections.page(election)
    assert "3 Ja, 1 Nein, 0 Enthaltung" in page
    again = app.test_cli_runner().invoke(args=["tick"])
    assert "election round" not in again.output  # counted once
