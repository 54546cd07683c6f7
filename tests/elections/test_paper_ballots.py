"""Paper ballots of a Blockwahl or an STV round in a meeting, entered one by one by
the chair on the paper-ballot page (or through the API): counted with the online
ballots, the same result as the same ballots cast online, bad entries refused with
the broken ballot named and everything typed shown again; the round's poll pages
point to the election's outcome."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import func, select

from meetings import attendance, services
from models import ElectedSeat, Election, ElectionRound, Participation, Poll
from polls.records import stored_result
from tests.factories import PASSWORD, fresh, make_meeting, make_member, meeting_action


def _meeting(session, world, people, app):
    """A running meeting: three members online, three in the room."""
    with app.app_context():
        dan = make_member(session, world.nord, first_name="Dan", last_name="Dorn")
        session.commit()
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    for member in (world.member, people.anna, people.ben):
        meeting_action(session, attendance.check_in, member, meeting)
    for member in (world.board, people.cem, dan):
        meeting_action(
            session, attendance.room_check_in, world.organiser, meeting, member.id
        )
    return meeting, dan


def _round(elections, people, meeting, **fields) -> ElectionRound:
    election = elections.create(meeting_id=str(meeting.id), **fields)
    for who in (people.anna, people.ben, people.cem):
        elections.stand(election, who)
    elections.close_nominations(election)
    return elections.start_round(election)


def _paper_page(meeting, rnd) -> str:
    return f"/meetings/{meeting.id}/votes/{rnd.poll_id}/paper-ballots"


def _elected(session, election_id) -> list[int]:
    fresh(session)
    return [
        s.member_id
        for s in session.scalars(
            select(ElectedSeat)
            .where(ElectedSeat.election_id == election_id)
            .order_by(ElectedSeat.position)
        )
    ]


def _close_in_room(elections, meeting, rnd):
    elections.as_(elections.world.organiser)
    response = elections.auth.post(
        f"/meetings/{meeting.id}/votes/{rnd.poll_id}/close", follow_redirects=True
    )
    assert response.status_code == 200


def test_block_vote_counts_online_and_paper_ballots(
    elections, people, world, session, client, app
):
    meeting, dan = _meeting(session, world, people, app)
    rnd = _round(elections, people, meeting, title="Beisitz", seats="2", method="block")
    assert rnd.poll.kind.value == "multiple_choice" and rnd.poll.max_choices == 2
    anna, ben, cem = (
        elections.option(rnd, m) for m in (people.anna, people.ben, people.cem)
    )
    elections.vote(world.member, rnd, choices=[anna, ben])
    elections.vote(people.anna, rnd, choices=[anna])
    elections.vote(people.ben, rnd, choices=[ben, cem])
    # Online: Anna 2, Ben 2, Cem 1. The room decides.

    elections.as_(world.organiser)
    room = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert _paper_page(meeting, rnd) in room  # the room links the paper page
    page = client.get(_paper_page(meeting, rnd)).get_data(as_text=True)
    assert page.count('name="member_id"') == 3  # those in the room
    assert page.count("<legend>Stimmzettel ") == 3  # a row for each of them
    response = elections.auth.post(
        _paper_page(meeting, rnd),
        {
            "rows": "3",
            "member_id": [str(world.board.id), str(people.cem.id), str(dan.id)],
            "b0": [str(cem), str(ben)],
            "b1": [str(cem)],
            "b2-blank": "y",
            "action": "save",
        },
        follow_redirects=True,
    )
    assert "Die Papierstimmen sind gezählt." in response.get_data(as_text=True)
    fresh(session)
    assert session.get(Poll, rnd.poll_id).paper_ballots == 3
    # The paper voters are checked off: they cannot also vote online.
    assert client.get(_paper_page(meeting, rnd)).status_code == 302

    _close_in_room(elections, meeting, rnd)
    fresh(session)
    result = stored_result(session.get(Poll, rnd.poll_id))
    assert result["ballots"] == 6 and result["blank"] == 1
    assert result["counts"] == {str(anna): 2, str(ben): 3, str(cem): 3}
    # Ben and Cem, 3 votes each; Cem only thanks to the paper ballots.
    assert sorted(_elected(session, rnd.election_id)) == sorted(
        [people.ben.id, people.cem.id]
    )

    # The round's poll pages point to the election's outcome.
    for path in (f"/polls/{rnd.poll_id}", f"/polls/{rnd.poll_id}/results"):
        page = html.unescape(client.get(path).get_data(as_text=True))
        note = page[page.index("owner-note") :]
        assert "1. Wahlgang der Wahl „Beisitz“" in note
        assert f'href="/elections/{rnd.election_id}"' in note
        names = re.search(r"Gewählt: ([^<]*)\.", note).group(1)
        assert sorted(names.split(", ")) == sorted([people.ben.name, people.cem.name])


CANDIDACY_KEYS = {
    "elected",
    "excluded",
    "subject",
    "second_round",
    "candidate",
    "passed_over",
    "tied",
    "order",
    "candidates",
}


def _by_member(value, member_of: dict[int, int], ids: bool = False, keyed=False):
    """A count's result with every candidacy id replaced by its member's, so the
    counts of two elections of the same people compare."""
    if isinstance(value, dict):
        return {
            (f"m{member_of[int(k)]}" if keyed else k): _by_member(
                v,
                member_of,
                ids or k in CANDIDACY_KEYS,
                keyed=not keyed and k in ("votes", "detail"),
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_by_member(v, member_of, ids) for v in value]
    if ids and isinstance(value, int):
        return f"m{member_of[value]}"
    return value


def _stv_ballots(people, world, dan):
    """Six voters' preferences (member -> candidates in order); no ties."""
    return [
        (world.member, [people.anna, people.ben, people.cem]),
        (people.anna, [people.anna, people.cem]),
        (people.ben, [people.ben, people.anna]),
        (world.board, [people.anna, people.ben]),
        (people.cem, [people.cem, people.ben]),
        (dan, [people.cem, people.anna, people.ben]),
    ]


def test_stv_with_paper_ballots_counts_as_the_same_ballots_online(
    elections, people, world, session, client, app
):
    meeting, dan = _meeting(session, world, people, app)
    ballots = _stv_ballots(people, world, dan)
    fields = {"seats": "2", "method": "stv_scottish"}

    def rank_form(rnd, order):
        return {
            f"rank-{elections.option(rnd, m)}": str(i + 1) for i, m in enumerate(order)
        }

    online = _round(elections, people, meeting, title="Delegierte A", **fields)
    assert online.poll.kind.value == "ranked"
    for voter, order in ballots:
        elections.vote(voter, online, **rank_form(online, order))
    _close_in_room(elections, meeting, online)

    paper = _round(elections, people, meeting, title="Delegierte B", **fields)
    room_voters = {world.board.id, people.cem.id, dan.id}
    for voter, order in ballots:
        if voter.id not in room_voters:
            elections.vote(voter, paper, **rank_form(paper, order))
    form = {"rows": "3", "member_id": [str(i) for i in sorted(room_voters)]}
    rows = [order for voter, order in ballots if voter.id in room_voters]
    for row, order in enumerate(rows):
        for rank, member in enumerate(order):
            form[f"b{row}-o{elections.option(paper, member)}"] = str(rank + 1)
    elections.as_(world.organiser)
    response = elections.auth.post(
        _paper_page(meeting, paper), {**form, "action": "save"}, follow_redirects=True
    )
    assert "Die Papierstimmen sind gezählt." in response.get_data(as_text=True)
    _close_in_room(elections, meeting, paper)

    elected = _elected(session, online.election_id)
    assert len(elected) == 2
    assert _elected(session, paper.election_id) == elected
    fresh(session)
    results = []
    for rnd in (online, paper):
        rnd = session.get(ElectionRound, rnd.id)
        member_of = {c.id: c.member_id for c in rnd.election.candidacies}
        # the whole count, candidacies named by their member
        results.append(_by_member(json.loads(rnd.result_json), member_of))
        assert session.get(Poll, rnd.poll_id).electorate_size == 6
    assert results[0] == results[1]
    assert session.get(Poll, paper.poll_id).paper_ballots == 3


def test_bad_paper_ballots_are_named_and_everything_typed_stays(
    elections, people, world, session, client, app
):
    meeting, dan = _meeting(session, world, people, app)
    block = _round(
        elections, people, meeting, title="Beisitz", seats="2", method="block"
    )
    anna, ben, cem = (
        elections.option(block, m) for m in (people.anna, people.ben, people.cem)
    )
    url = _paper_page(meeting, block)
    elections.as_(world.member)  # present, but not the chair
    assert client.get(url).status_code == 404
    assert url not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    elections.as_(world.organiser)
    ticked = [str(world.board.id), str(people.cem.id)]

    # Three crosses on a ballot that allows two.
    response = elections.auth.post(
        url,
        {
            "rows": "3",
            "member_id": ticked,
            "b0": [str(anna)],
            "b1": [str(anna), str(ben), str(cem)],
            "action": "save",
        },
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Stimmzettel 2: zu viele Stimmen (höchstens 2)" in page
    assert 'href="#ballot-1"' in page
    for value in ticked:
        assert f'name="member_id" value="{value}" checked' in page
    row = page[page.index('id="ballot-1"') : page.index('id="ballot-2"')]
    assert row.count(" checked") == 3 and 'aria-describedby="ballot-1-error"' in row

    # Ballots and ticks that do not match: two ticked, one ballot.
    response = elections.auth.post(
        url, {"rows": "3", "member_id": ticked, "b0": [str(anna)], "action": "save"}
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Erfasst sind 1 Stimmzettel, angekreuzt 2 Mitglieder" in page
    row = page[page.index('id="ballot-0"') : page.index('id="ballot-1"')]
    assert f'value="{anna}" checked' in row

    # "More rows" keeps what was typed and adds rows.
    response = elections.auth.post(
        url, {"rows": "3", "member_id": ticked, "b2": [str(cem)], "action": "more"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count("<legend>Stimmzettel ") == 8
    row = page[page.index('id="ballot-2"') : page.index('id="ballot-3"')]
    assert f'value="{cem}" checked' in row
    assert 'name="rows" value="8"' in page

    fresh(session)
    assert session.get(Poll, block.poll_id).paper_ballots is None
    assert (
        session.scalar(
            select(func.count())
            .select_from(Participation)
            .where(Participation.poll_id == block.poll_id)
        )
        == 0
    )
    _close_in_room(elections, meeting, block)

    stv = _round(
        elections, people, meeting, title="Delegierte", seats="2", method="stv_meek"
    )
    anna, ben, cem = (
        elections.option(stv, m) for m in (people.anna, people.ben, people.cem)
    )
    elections.as_(world.organiser)
    url = _paper_page(meeting, stv)
    response = elections.auth.post(
        url,
        {
            "rows": "2",
            "member_id": ticked,
            f"b0-o{anna}": "1",
            f"b0-o{ben}": "2",
            f"b1-o{anna}": "1",
            f"b1-o{cem}": "1",
            "action": "save",
        },
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert (
        "Stimmzettel 2: Rang 1 ist mehrfach vergeben "
        f"({people.anna.name}, {people.cem.name})" in page
    )
    row = page[page.index('id="ballot-1"') :]
    assert f'name="b1-o{anna}" type="text"' in row
    assert row.count('value="1"') == 2
    response = elections.auth.post(
        url,
        {"rows": "1", "member_id": ticked[:1], f"b0-o{ben}": "x", "action": "save"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f"Stimmzettel 1: „x“ bei {people.ben.name} ist kein Rang von 1 bis 3" in page
    assert 'value="x"' in page
    fresh(session)
    assert session.get(Poll, stv.poll_id).paper_ballots is None


def test_paper_ballots_through_the_api(elections, people, world, session, client, app):
    meeting, dan = _meeting(session, world, people, app)
    rnd = _round(
        elections, people, meeting, title="Delegierte", seats="2", method="stv_meek"
    )
    anna, ben, cem = (
        elections.option(rnd, m) for m in (people.anna, people.ben, people.cem)
    )
    elections.as_(world.organiser)
    elections.auth.logout()
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.organiser.email, "password": PASSWORD},
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/meetings/{meeting.id}/votes/{rnd.poll_id}/paper"
    voters = [world.board.id, people.cem.id]

    def post(body):
        return client.post(url, json=body, headers=headers)

    response = post({"member_ids": voters, "ballots": [[anna, ben], [cem, cem]]})
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "invalid_paper_ballot"
    assert list(body["fields"]) == ["ballots.1"]
    assert "Stimmzettel 2" in body["fields"]["ballots.1"]
    response = post({"member_ids": voters, "ballots": [[anna, ben]]})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "paper_ballot_count"
    response = post({"member_ids": voters, "ballots": [[anna]], "counts": {}})
    assert response.status_code == 422  # counts or ballots, not both
    response = post({"member_ids": voters, "ballots": [[cem, anna], []]})
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert summary["paper_ballots"] == 2 and summary["ballots"] == 2
    response = post({"member_ids": [dan.id], "ballots": [[ben]]})
    assert response.status_code == 409  # entered once
    fresh(session)
    assert session.get(Election, rnd.election_id) is not None
