"""Several seats: a Blockwahl whose 40 % gender quota changes who is elected (the
seat is marked as a quota seat), and an STV election counted from ranked ballots,
both held as polls and counted once their boxes are sealed."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from sqlalchemy import select

from elections import count
from models import ElectedSeat, Election, ElectionRound, ElectionStatus, Member
from polls import services as polls
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


def test_listenwahl_minimum_yes_share_and_quota_decide_who_is_elected(
    elections, people, world, session, app
):
    """A statute's Listenwahl: three Beisitzer:innen, yes/no/abstain for each
    candidate, elected is who has more yes than no votes (50 % of their yes and no
    votes), in order of yes votes, with at least 40 % of the seats (kaufmännisch
    gerundet: 1 of 3) for each gender."""
    dan = _with_genders(app, session, people, world)
    with app.app_context():
        ed = make_member(session, world.nord, first_name="Ed", last_name="Engel")
        session.commit()
    session.get(Member, ed.id).gender = "m"
    session.commit()
    election = elections.create(
        title="Beisitz",
        office="Beisitzer:innen",
        seats="3",
        method="approval",
        min_yes_percent="50",
        quota_percent="40",
        statute_reference="§ 8 Abs. 3 Wahlordnung",
    )
    a, b, c, d, e = people.anna, people.ben, people.cem, dan, ed
    for who in (a, b, c, d, e):
        elections.stand(election, who)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert rnd.poll.kind.value == "yes_no_abstain_each"
    elections.as_(world.member)
    page = elections.client.get(f"/polls/{rnd.poll_id}/vote").get_data(as_text=True)
    assert page.count('<fieldset class="choice-list choice-list--each"') == 5
    assert "Wo du nichts ankreuzt, zählt das als Enthaltung" in page

    def answers(**by_name):
        people_ = {"a": a, "b": b, "c": c, "d": d, "e": e}
        return {
            f"answer-{elections.option(rnd, people_[k])}": v for k, v in by_name.items()
        }

    y, n, x = "yes", "no", "abstain"
    # organiser leaves Anna unanswered: an abstention, as the ballot page says
    for voter in (world.member, world.board):
        elections.vote(voter, rnd, **answers(b=y, c=y, d=y, e=y, a=y))
    elections.vote(world.organiser, rnd, **answers(b=y, c=y, d=y, e=y))
    elections.vote(a, rnd, **answers(b=y, c=y, d=n, e=y, a=x))
    elections.vote(b, rnd, **answers(b=y, c=y, d=n, e=n, a=x))
    elections.vote(c, rnd, **answers(b=y, c=n, d=n, e=x, a=x))
    elections.vote(d, rnd, **answers(b=n, c=x, d=n, e=x, a=x))
    # Yes/no: Ben 6/1, Cem 5/1, Ed 4/1, Dan 3/4, Anna 2/0. Dan has more yes votes
    # than Anna but fewer yes than no votes: not electable. Without the quota Ben,
    # Cem and Ed; with it the third seat goes to Anna, the only woman.
    elections.close(rnd)
    page = elections.page(election)
    fresh(session)
    seats = session.scalars(select(ElectedSeat).order_by(ElectedSeat.position)).all()
    assert [s.member_id for s in seats] == [b.id, c.id, a.id]
    assert [s.by_quota for s in seats] == [False, False, True]
    assert "Sitz über die Quote" in page
    assert "6 Ja, 1 Nein, 0 Enthaltung" in page  # Ben
    assert "3 Ja, 4 Nein, 0 Enthaltung" in page  # Dan
    assert "2 Ja, 0 Nein, 5 Enthaltung" in page  # Anna
    assert session.get(Election, election.id).status == ElectionStatus.FINISHED

    # The same sealed box counted without the quota elects the three men: the
    # quota changed who is elected, the minimum share kept Dan out either way.
    rnd = session.get(ElectionRound, rnd.id)
    with app.test_request_context():
        box = polls.sealed_ballots(session, rnd.poll)
        by_option = {rc.option_id: rc.candidacy_id for rc in rnd.candidates}
        candidates = [count.Candidate(rc.candidacy_id, None) for rc in rnd.candidates]
        plain = count.approval(
            candidates,
            [{by_option[abs(o)]: "yes" if o > 0 else "no" for o in bb} for bb in box],
            seats=3,
            seed=rnd.poll.ballot_digest,
            min_share=Fraction(1, 2),
            share_base="yes_no",
        )
    member_of = {rc.candidacy_id: rc.candidacy.member_id for rc in rnd.candidates}
    assert [member_of[i] for i in plain.elected] == [b.id, c.id, e.id]

    # The poll's own result, receipt check and box are those of any sealed poll.
    results = elections.client.get(f"/polls/{rnd.poll_id}/results")
    text = results.get_data(as_text=True)
    assert results.status_code == 200
    assert "Ja, Nein und Enthaltung je Option" in text
    box_page = elections.client.get(f"/polls/{rnd.poll_id}/ballot-box")
    assert "Dan Dorn: Nein" in box_page.get_data(as_text=True)

    # The election's record: yes, no and abstain per candidate, quota seat marked.
    elections.as_(world.organiser)
    exported = elections.client.get(f"/elections/{election.id}/export.csv")
    lines = list(
        csv.reader(
            io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"
        )
    )
    by_name = {line[1]: line for line in lines[1:] if len(line) > 8}
    assert by_name["Dan Dorn"][3:6] == ["3", "4", "0"]
    assert by_name["Dan Dorn"][7] == "nein"
    assert by_name["Anna Arndt"][3:9] == ["2", "0", "5", "", "ja", "ja"]
    assert by_name["Ed Engel"][7:9] == ["nein", "nein"]
    pdf = elections.client.get(f"/elections/{election.id}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_listenwahl_with_one_candidate_applies_the_minimum_share(
    elections, people, world, session
):
    """One candidate left: a yes/no/abstain ballot, counted by the same rule."""
    election = elections.create(
        title="Liste", office="Beisitz", seats="2", method="approval"
    )
    elections.stand(election, people.anna)
    elections.close_nominations(election)
    rnd = elections.start_round(election)
    assert rnd.poll.kind.value == "yes_no_abstain"
    yes, no = rnd.poll.options[0].id, rnd.poll.options[1].id
    elections.vote(world.member, rnd, choice=yes)
    elections.vote(world.board, rnd, choice=no)
    elections.close(rnd)
    page = elections.page(election)
    fresh(session)
    # 1 yes, 1 no: not more than 50 %, so nobody is elected; both seats stay open
    assert session.scalars(select(ElectedSeat)).all() == []
    assert "1 Ja, 1 Nein, 0 Enthaltung" in page
    assert session.get(Election, election.id).status == ElectionStatus.BALLOTING
