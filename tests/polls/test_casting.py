"""Casting and sealing through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, inspect, select, text

from models import BallotRecord, Participation, Poll, Receipt
from polls import ballot_box as published
from polls import casting
from polls.errors import (
    AlreadyVoted,
    InvalidChoices,
    NotEligible,
    PollNotClosed,
    PollNotOpen,
)
from polls.lifecycle import ensure_current
from polls.records import recount, stored_result
from tests.factories import (
    ballot_lines,
    close_now,
    fresh,
    make_member,
    make_poll,
    stored_ballots,
)


def _count(session, model, poll) -> int:
    return session.scalar(
        select(func.count()).select_from(model).where(model.poll_id == poll.id)
    )


def test_cast_writes_three_unlinked_rows_and_freezes_the_electorate(
    app, world, session, ctx
):
    poll = make_poll(session, world.nord, world.organiser)
    yes = poll.options[0].id
    code = casting.cast(session, poll, world.member, [yes])
    assert len(code) == 29 and code.count("-") == 5
    fresh(session)
    assert poll.electorate_size == 4  # the four active members of OV Nord
    assert len(poll.electorate_hash) == 64
    assert _count(session, Participation, poll) == 1
    assert stored_ballots(session, poll.id) == 1  # sealed: see test_sealed_ballots
    assert session.scalar(select(Receipt.hash)) == casting.receipt_hash(code)
    assert ballot_lines(app, session, poll) == [f"[{yes}]"]


def test_second_ballot_is_refused_and_writes_nothing(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    with pytest.raises(AlreadyVoted):
        casting.cast(session, poll, world.member, [poll.options[1].id])
    fresh(session)
    assert stored_ballots(session, poll.id) == 1
    assert _count(session, Receipt, poll) == 1


def test_electorate_is_frozen_at_opening(world, app, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    ensure_current(session, poll)
    with app.app_context():
        latecomer = make_member(session, world.nord)
    session.commit()
    with pytest.raises(NotEligible):
        casting.cast(session, poll, latecomer, [poll.options[0].id])
    with pytest.raises(NotEligible):  # another branch's member
        casting.cast(session, poll, world.sued_member, [poll.options[0].id])


def test_invalid_choices_name_the_rule(world, session, ctx):
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="multiple_choice",
        options=("A", "B", "C", "D"),
        min_choices=2,
        max_choices=3,
    )
    ids = [o.id for o in poll.options]
    with pytest.raises(InvalidChoices, match="zu viele"):
        casting.cast(session, poll, world.member, ids)
    with pytest.raises(InvalidChoices, match="zu wenige"):
        casting.cast(session, poll, world.member, ids[:1])
    with pytest.raises(InvalidChoices, match="gehört nicht"):
        casting.cast(session, poll, world.member, [999999])
    casting.cast(session, poll, world.member, [])  # a blank ballot is allowed
    fresh(session)
    assert _count(session, Participation, poll) == 1


def test_not_open_yet_and_closed(world, session, ctx):
    upcoming = make_poll(
        session, world.nord, world.organiser, opens_in=3600, closes_in=7200
    )
    with pytest.raises(PollNotOpen):
        casting.cast(session, upcoming, world.member, [upcoming.options[0].id])
    poll = make_poll(session, world.nord, world.organiser)
    close_now(session, poll)
    with pytest.raises(PollNotOpen):
        casting.cast(session, poll, world.member, [poll.options[0].id])


def test_a_poll_that_closes_while_a_ballot_is_on_its_way_refuses_it(
    app, world, session, ctx
):
    """cast() saw the poll open, then its time ran out (another process moved the
    clock): the writing transaction must still refuse the ballot and write nothing.
    On SQLite the participation's INSERT is the only check, elsewhere the locked
    read of the poll row before it."""
    poll = make_poll(session, world.nord, world.organiser)
    ensure_current(session, poll)  # open, electorate frozen
    session.commit()
    factory = app.extensions["ortsverein_db"][1]
    with factory() as other:  # the poll as this session has it still looks open
        close_now(other, other.get(Poll, poll.id))
    with pytest.raises(PollNotOpen):
        casting.cast(session, poll, world.member, [poll.options[0].id])
    fresh(session)
    assert _count(session, Participation, poll) == 0
    assert _count(session, BallotRecord, poll) == 0
    assert _count(session, Receipt, poll) == 0


def test_closing_seals_tallies_and_publishes_the_box(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser, quorum=50)
    yes, no, _abstain = (o.id for o in poll.options)
    codes = [
        casting.cast(session, poll, m, [c])
        for m, c in [(world.member, yes), (world.board, yes), (world.organiser, no)]
    ]
    with pytest.raises(PollNotClosed):
        published.ballot_box(session, poll)
    close_now(session, poll)
    box = published.ballot_box(session, poll)
    assert box["ballots"] == sorted([[yes], [yes], [no]], key=json.dumps)
    assert box["receipts"] == sorted(casting.receipt_hash(c) for c in codes)
    result = stored_result(poll)
    assert (result["ballots"], result["outcome"], result["quorum_met"]) == (
        3,
        "accepted",
        True,
    )
    assert result["counts"] == {str(yes): 2, str(no): 1, str(_abstain): 0}
    digest, receipts_digest, recounted = recount(session, poll)
    assert digest == poll.ballot_digest and receipts_digest == poll.receipts_digest
    assert recounted.as_dict() == result
    assert published.receipt_counted(session, poll, codes[0].lower())
    assert not published.receipt_counted(session, poll, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")


def test_sealing_is_idempotent(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    close_now(session, poll)
    ensure_current(session, poll)
    first = (poll.ballot_digest, poll.result_json)
    ensure_current(session, poll)
    fresh(session)
    assert (poll.ballot_digest, poll.result_json) == first


def test_ballot_table_has_no_member_time_or_integer_key(app):
    from ortsverein.db import db

    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("ballots", "receipts"):
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            assert not any("member" in name for name in columns), table
            assert not any(
                "DATE" in str(c["type"]).upper() or "TIME" in str(c["type"]).upper()
                for c in columns.values()
            ), table
            assert not any(
                fk["referred_table"] == "members"
                for fk in inspector.get_foreign_keys(table)
            ), table
            pk = inspector.get_pk_constraint(table)["constrained_columns"]
            assert len(pk) == 1 and "INT" not in str(columns[pk[0]]["type"]).upper()
        participation = {
            c["name"]: str(c["type"]).upper()
            for c in inspector.get_columns("participations")
        }
        assert participation["voted_on"] == "DATE"
        assert set(participation) == {"poll_id", "member_id", "voted_on"}
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                for table in ("ballots", "receipts"):
                    sql = conn.execute(
                        text("SELECT sql FROM sqlite_master WHERE name = :n"),
                        {"n": table},
                    ).scalar()
                    assert "WITHOUT ROWID" in sql.upper()


def test_ballot_box_order_does_not_follow_casting_order(world, app, session, ctx):
    with app.app_context():
        voters = [make_member(session, world.nord) for _ in range(40)]
    session.commit()
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="single_choice",
        options=[f"O{i}" for i in range(40)],
    )
    for i, voter in enumerate(voters):
        casting.cast(session, poll, voter, [poll.options[i].id])
    close_now(session, poll)
    ensure_current(session, poll)
    fresh(session)
    stored = [
        json.loads(c)[0]
        for c in session.scalars(
            select(BallotRecord.choices).where(BallotRecord.poll_id == poll.id)
        )
    ]
    cast_order = [o.id for o in poll.options]
    assert sorted(stored) == sorted(cast_order)
    assert stored != cast_order  # physical order is no longer the casting order


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_no_ballot_shares_xmin_with_a_participation(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser)
    for voter in (world.member, world.board, world.organiser, world.admin):
        casting.cast(session, poll, voter, [poll.options[0].id])
    close_now(session, poll)
    ensure_current(session, poll)
    fresh(session)
    ballots = set(
        session.scalars(
            text("SELECT xmin::text FROM ballots WHERE poll_id = :p"), {"p": poll.id}
        )
    )
    participations = set(
        session.scalars(
            text("SELECT xmin::text FROM participations WHERE poll_id = :p"),
            {"p": poll.id},
        )
    )
    # All rewritten by the sealing transaction: the xmin says nothing of who.
    assert len(participations) == 1 and ballots == participations


def test_named_poll_records_who_voted_how(world, session, ctx):
    poll = make_poll(session, world.nord, world.organiser, secret=False)
    casting.cast(session, poll, world.member, [poll.options[1].id])
    fresh(session)
    row = session.execute(text("SELECT member_id, ballot_id FROM named_votes")).one()
    assert row.member_id == world.member.id
    assert session.get(BallotRecord, row.ballot_id).choices == f"[{poll.options[1].id}]"
    assert session.get(Poll, poll.id).secret is False


def test_verify_poll_catches_a_changed_ballot(world, app, session):
    # No `ctx` here: the CLI must run in app contexts of its own, as in real use.
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser)
        yes, no, _ = (o.id for o in poll.options)
        for voter in (world.member, world.board, world.organiser):
            casting.cast(session, poll, voter, [yes])
        close_now(session, poll)
        ensure_current(session, poll)
    cli = app.test_cli_runner()
    ok = cli.invoke(args=["verify-poll", str(poll.id)])
    assert ok.exit_code == 0 and "verified" in ok.output
    fresh(session)
    session.execute(
        text(
            "UPDATE ballots SET choices = :c WHERE id = "
            "(SELECT id FROM ballots WHERE poll_id = :p AND choices <> :c LIMIT 1)"
        ),
        {"c": f"[{no}]", "p": poll.id},
    )
    session.commit()
    broken = cli.invoke(args=["verify-poll", str(poll.id)])
    assert broken.exit_code == 1
    assert "MISMATCH: ballot-box digest" in broken.output
    assert "recount differs" in broken.output


def test_tick_opens_and_closes_due_polls(world, app, session):
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser)
    cli = app.test_cli_runner()
    first = cli.invoke(args=["tick"])
    assert f"poll {poll.id}: open" in first.output
    assert "0 poll(s) updated" in cli.invoke(args=["tick"]).output  # idempotent
    close_now(session, poll)
    assert f"poll {poll.id}: closed" in cli.invoke(args=["tick"]).output
    fresh(session)
    assert poll.ballot_digest and poll.result_json


def test_opening_notifies_the_electorate_and_reminder_skips_voters(
    world, app, session, auth, client
):
    from datetime import timedelta

    from sqlalchemy import update

    from models import Notification, Poll, utcnow

    world.board.notify_by_email = True
    session.commit()
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser, closes_in=86400 * 3)
        ensure_current(session, poll)
        casting.cast(session, poll, world.member, [poll.options[0].id])
    fresh(session)
    opened = session.scalars(
        select(Notification.member_id).where(Notification.kind == "poll_opened")
    ).all()
    assert sorted(opened) == sorted(
        [world.admin.id, world.board.id, world.organiser.id, world.member.id]
    )
    from pathlib import Path

    mails = list((Path(app.instance_path) / "mail").glob("*.eml"))
    assert len(mails) == 1  # only the board member opted in to email
    # a day before closing, tick reminds those who have not voted
    session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(
            opens_at=utcnow() - timedelta(days=3),
            closes_at=utcnow() + timedelta(hours=2),
        )
    )
    session.commit()
    tick = app.test_cli_runner().invoke(args=["tick"]).output
    assert f"poll {poll.id}: open" in tick and "1 poll(s) updated" in tick
    fresh(session)
    reminded = session.scalars(
        select(Notification.member_id).where(Notification.kind == "poll_reminder")
    ).all()
    assert world.member.id not in reminded and len(reminded) == 3
    app.test_cli_runner().invoke(args=["tick"])  # only one reminder
    fresh(session)
    assert (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "poll_reminder")
        )
        == 3
    )
    auth.login(world.board)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Erinnerung: „Frage yes_no_abstain“ endet bald" in page
    assert "Neue Abstimmung: Frage yes_no_abstain" in page
    auth.post("/notifications/read")
    assert "notification--unread" not in client.get("/notifications/").get_data(
        as_text=True
    )


def test_verify_poll_compares_with_the_audit_log_and_counts(world, app, session):
    """Rewriting ballots AND the published digest and result is still caught."""
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser)
        yes, no, _ = (o.id for o in poll.options)
        for voter, choice in (
            (world.member, no),
            (world.board, no),
            (world.organiser, yes),
        ):
            casting.cast(session, poll, voter, [choice])
        close_now(session, poll)
        ensure_current(session, poll)
        fresh(session)
        session.execute(
            text("UPDATE ballots SET choices = :c WHERE poll_id = :p"),
            {"c": f"[{yes}]", "p": poll.id},
        )
        session.commit()
        digest, receipts_digest, result = recount(session, poll)
        import json as json_

        session.execute(
            text("UPDATE polls SET ballot_digest = :d, result_json = :r WHERE id = :p"),
            {
                "d": digest,
                "r": json_.dumps(result.as_dict(), sort_keys=True),
                "p": poll.id,
            },
        )
        session.commit()
    broken = app.test_cli_runner().invoke(args=["verify-poll", str(poll.id)])
    assert broken.exit_code == 1
    assert "the one logged at sealing" in broken.output


def test_electorate_digest_follows_the_published_recipe(world, app, session, ctx):
    """The register's digest is digest_of (code-point order) on both databases,
    although PostgreSQL computes it itself: numbers whose order differs between
    collations must not change it."""
    from models import ElectorateEntry, Member
    from polls.checksums import digest_of

    with app.app_context():
        for number in ("a10", "A2", "ä1", "Z9", "10", "9", "b-1", "B_1"):
            make_member(session, world.nord, number=number)
    session.commit()
    poll = make_poll(session, world.nord, world.organiser)
    ensure_current(session, poll)
    fresh(session)
    numbers = session.scalars(
        select(Member.membership_number)
        .join(ElectorateEntry, ElectorateEntry.member_id == Member.id)
        .where(ElectorateEntry.poll_id == poll.id)
    ).all()
    assert len(numbers) == poll.electorate_size == 12
    assert poll.electorate_hash == digest_of(list(numbers))


def test_an_empty_electorate_has_the_digest_of_nothing(world, app, session, ctx):
    import hashlib

    from polls.checksums import electorate_digest

    poll = make_poll(session, world.nord, world.organiser)
    assert electorate_digest(session, poll.id + 1000) == (
        0,
        hashlib.sha256(b"").hexdigest(),
    )


def test_notify_counts_the_members_it_notified(world, session, ctx):
    """The count decides whether each member gets a live event (small fan-outs) or
    not; PostgreSQL's driver reported -1 here, which pushed an event per member
    of a national vote."""
    from models import Member
    from ortsverein.notifications import notify

    members = select(Member.id).where(Member.home_branch_id == world.nord.id)
    expected = session.scalar(select(func.count()).select_from(members.subquery()))
    assert notify(session, members, "poll_opened", "Titel", "/polls/1") == expected
    assert expected >= 4
    session.rollback()
