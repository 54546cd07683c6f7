"""Several seats: a Blockwahl whose 40 % gender quota changes who is elected (the
seat is marked as a quota seat), and an STV election counted from ranked ballots,
both held as polls and counted once their boxes are sealed."""

from __future__ import annotations

from sqlalchemy import select

from models import ElectedSeat, Election, ElectionStatus, Member
from tests.factories import fresh, make_member


def _with_genders(app, session, people, world):
    with app.app_context():
        dan = make_member(session, world.nord, first_name="Dan", last_name="Dorn")
        session.commit()
    for member, gender in (
        (people.anna, "w"),
        (people.ben, "m"),
        (people.cem, "m"),
        (dan, "m"),
    ):
        session.get(Member, member.id).gender = gender
    session.commit()
    return dan


def test_block_vote_with_quota_elects_the_woman_over_a_stronger_man(
    elections, people, world, session, app
):
    dan = _with_genders(app, session, people, world)
    election = elections.create(
        title="Beisitz",
        office="Beisitzer:innen",
        seats="3",
        method="block",
        quota_percent="40",
    )
    for who in (people.anna, people.ben, people.cem, dan):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert rnd.poll.kind.value == "multiple_choice" and rnd.poll.max_choices == 3

    def choose(*members):
        return {"choices": [elections.option(rnd, m) for m in members]}

    men = (people.ben, people.cem, dan)
    for voter in (world.member, world.board, world.organiser, people.ben):
        elections.vote(voter, rnd, **choose(*men))
    for voter in (people.anna, people.cem):
        elections.vote(voter, rnd, **choose(people.anna, people.ben))
    # Ben 6, Cem 4, Dan 4, Anna 2: without the quota three men; with it Anna
    # takes the third seat from whichever of Cem and Dan the lot placed last.
    elections.close(rnd)
    page = elections.page(election)
    fresh(session)
    seats = session.scalars(select(ElectedSeat).order_by(ElectedSeat.position)).all()
    elected = [s.member_id for s in seats]
    assert len(elected) == 3 and people.ben.id == elected[0]
    assert people.anna.id in elected
    [quota_seat] = [s for s in seats if s.by_quota]
    assert quota_seat.member_id == people.anna.id
    assert "Sitz über die Quote" in page
    assert session.get(Election, election.id).status == ElectionStatus.FINISHED


def test_stv_two_seats_from_ranked_ballots(elections, people, world, session):
    election = elections.create(
        title="Delegierte", office="Delegierte", seats="2", method="stv_scottish"
    )
    for who in (people.anna, people.ben, people.cem):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert rnd.poll.kind.value == "ranked"

    def ranks(*members):
        return {
            f"rank-{elections.option(rnd, m)}": i + 1 for i, m in enumerate(members)
        }

    a, b, c = people.anna, people.ben, people.cem
    for voter in (world.member, world.board, world.organiser):
        elections.vote(voter, rnd, **ranks(a, b))
    for voter in (people.ben, people.anna):
        elections.vote(voter, rnd, **ranks(b, a))
    elections.vote(people.cem, rnd, **ranks(c, b))
    # 6 ballots, Droop quota 3: Anna reaches it at once; Cem is excluded and his
    # ballot goes to Ben, who then reaches it too.
    elections.close(rnd)
    page = elections.page(election)
    fresh(session)
    elected = [
        s.member_id
        for s in session.scalars(select(ElectedSeat).order_by(ElectedSeat.position))
    ]
    assert elected == [a.id, b.id]
    assert "am Ende der Auszählung" in page  # the count's stages are shown


def test_approval_rounds_are_refused_with_a_reason_and_no_poll(
    elections, people, world, session
):
    from models import Poll

    election = elections.create(
        title="Liste", office="Beisitz", seats="2", method="approval"
    )
    elections.stand(election, people.anna)
    elections.close_nominations(election)
    response = elections.auth.post(
        f"/elections/{election.id}/rounds",
        {"closes_at": "2099-01-01T10:00"},
        follow_redirects=True,
    )
    assert "gibt es noch nicht" in response.get_data(as_text=True)
    fresh(session)
    assert session.scalars(select(Poll)).all() == []
