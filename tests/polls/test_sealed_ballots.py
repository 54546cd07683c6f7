"""Secret ballots sealed at rest, on SQLite and PostgreSQL: while a poll is open no
table holds a readable choice; sealing opens the box with the poll's private key,
rewrites it in random order under new keys, counts it, and destroys the key; a
missing key never loses or fakes a vote."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import func, select, text

from models import BallotRecord, Participation, Receipt, SealedBallot
from polls import ballot_box as published
from polls import ballot_keys, casting
from polls.errors import BallotKeyMissing, PollNotCounted
from polls.lifecycle import ensure_current
from polls.records import stored_result
from tests.factories import close_now, fresh, make_member, make_poll


def _count(session, model, poll) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.poll_id == poll.id)
    )


@pytest.fixture
def voters(app, session, world):
    """Ten more members of OV Nord, so a poll has a box worth shuffling (ten
    voters keep their order of casting by chance once in 3.6 million sealings)."""
    with app.app_context():
        return [make_member(session, world.nord) for _ in range(10)]


def _vote_all(session, poll, members, choices):
    codes = []
    for member, choice in zip(members, choices, strict=True):
        codes.append(casting.cast(session, poll, member, choice))
    return codes


def test_an_open_secret_poll_stores_only_sealed_ballots(app, world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    yes = poll.options[0].id
    casting.cast(session, poll, world.member, [yes])
    fresh(session)
    assert len(poll.ballot_public_key) == 32
    assert _count(session, BallotRecord, poll) == 0
    box = session.scalar(
        select(SealedBallot.box).where(SealedBallot.poll_id == poll.id)
    )
    assert f"[{yes}]".encode() not in box and len(box) > 32
    # The private key is in the key folder, for the app's user only.
    path = ballot_keys.key_path(poll.id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # ...and never in the database: no column holds those 32 bytes.
    secret = path.read_bytes()
    assert secret not in box and secret != poll.ballot_public_key


def test_sealing_opens_the_box_counts_it_and_destroys_the_key(
    app, world, session, ctx, voters
):
    poll = make_poll(session, world.nord, world.organiser)
    yes, no, abstain = (o.id for o in poll.options)
    choices = [[yes]] * 3 + [[no], [abstain], []]
    _vote_all(session, poll, voters[:6], choices)
    fresh(session)
    sealed_ids = set(session.scalars(select(SealedBallot.id)))
    close_now(session, poll)
    session.commit()
    assert ensure_current(session, poll) == "closed"
    fresh(session)
    assert poll.closed_at is not None
    assert not ballot_keys.key_path(poll.id).exists()
    assert _count(session, SealedBallot, poll) == 0
    ballots = session.execute(
        select(BallotRecord.id, BallotRecord.choices).where(
            BallotRecord.poll_id == poll.id
        )
    ).all()
    assert sorted(json.loads(b.choices) for b in ballots) == sorted(choices)
    # New keys: a copy taken while the poll was open cannot match a sealed row to
    # a published ballot by its key.
    assert not sealed_ids & {b.id for b in ballots}
    result = stored_result(poll)
    assert result["counts"][str(yes)] == 3 and result["outcome"] == "accepted"
    box = published.ballot_box(session, poll)
    assert len(box["ballots"]) == 6 and box["digest"] == poll.ballot_digest
    assert _count(session, Participation, poll) == 6
    assert _count(session, Receipt, poll) == 6


def test_a_key_lost_mid_poll_counts_nothing_and_tells_the_board(
    app, world, session, ctx, client, auth
):
    poll = make_poll(session, world.nord, world.organiser)
    yes = poll.options[0].id
    casting.cast(session, poll, world.member, [yes])
    ballot_keys.key_path(poll.id).unlink()  # the key folder was lost
    with pytest.raises(BallotKeyMissing):  # no vote is taken that cannot count
        casting.cast(session, poll, world.organiser, [yes])
    close_now(session, poll)
    session.commit()
    assert ensure_current(session, poll) == "closed"
    fresh(session)
    assert poll.closed_at is None and poll.result_json is None
    assert poll.key_missing_at is not None
    assert _count(session, SealedBallot, poll) == 1  # nothing lost either
    with pytest.raises(PollNotCounted):
        published.ballot_box(session, poll)
    auth.login(world.organiser)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Schlüssel verloren." in page and "Kopiere die Abstimmung" in page
    results = client.get(f"/polls/{poll.id}/results", follow_redirects=True)
    assert "ihr Schlüssel fehlt" in results.get_data(as_text=True)


def test_a_key_put_back_lets_the_poll_be_counted(app, world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    yes = poll.options[0].id
    casting.cast(session, poll, world.member, [yes])
    saved = ballot_keys.key_path(poll.id).read_bytes()
    ballot_keys.key_path(poll.id).unlink()
    close_now(session, poll)
    session.commit()
    ensure_current(session, poll)
    assert poll.closed_at is None
    ballot_keys.write_private_key(poll.id, saved)  # restored from the live replica
    ensure_current(session, poll)
    fresh(session)
    assert poll.closed_at is not None
    assert stored_result(poll)["counts"][str(yes)] == 1


def test_a_stray_key_file_is_never_used(app, world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    ballot_keys.write_private_key(poll.id, b"\x01" * 32)  # another key
    close_now(session, poll)
    session.commit()
    ensure_current(session, poll)
    fresh(session)
    assert poll.closed_at is None and poll.key_missing_at is not None
    assert _count(session, SealedBallot, poll) == 1


def test_named_polls_are_not_sealed(app, world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser, secret=False)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    fresh(session)
    assert poll.ballot_public_key is None
    assert _count(session, BallotRecord, poll) == 1
    assert _count(session, SealedBallot, poll) == 0


def _write_marks(session, table: str, poll) -> list:
    """What betrays when each row was written, in the table's physical order:
    PostgreSQL's xmin (the writing transaction) and SQLite's member by rowid
    (the order of insertion)."""
    if session.get_bind().dialect.name == "postgresql":
        sql = f"SELECT xmin::text FROM {table} WHERE poll_id = :p"  # noqa: S608
    else:
        sql = "SELECT member_id FROM participations WHERE poll_id = :p ORDER BY rowid"
    return list(session.scalars(text(sql), {"p": poll.id}))


def test_sealing_leaves_no_trace_of_the_order_of_casting(
    app, world, session, ctx, voters
):
    """Every participation, ballot and receipt is rewritten by the sealing
    transaction: one xmin for all on PostgreSQL; on SQLite the participations'
    rowid order (which was the order of casting) is shuffled."""
    poll = make_poll(session, world.nord, world.organiser)
    yes = poll.options[0].id
    _vote_all(session, poll, voters, [[yes]] * len(voters))
    fresh(session)
    before = _write_marks(session, "participations", poll)
    close_now(session, poll)
    session.commit()
    ensure_current(session, poll)
    fresh(session)
    kept = set(
        session.scalars(
            select(Participation.member_id).where(Participation.poll_id == poll.id)
        )
    )
    assert kept == {m.id for m in voters}
    after = _write_marks(session, "participations", poll)
    if session.get_bind().dialect.name == "postgresql":
        for table in ("participations", "ballots", "receipts"):
            assert len(set(_write_marks(session, table, poll))) == 1, table
        assert not set(after) & set(before)
    else:
        assert before == [m.id for m in voters]  # the order of casting...
        assert after != before  # ...is gone
