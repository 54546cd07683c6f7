"""Key escrow (optional, per secret poll): the board's shares are handed out once
from the poll's page, never stored in the database, and any two of three restore a
key lost mid-poll with `ortsverein recover-poll-key`, after which the tally is
right. Without escrow a lost key still counts nothing. A sealed poll's key is never
restored, and its unclaimed shares die with it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import Poll, PollKeyShare
from ortsverein.errors import ValidationFailed
from polls import ballot_keys, casting
from polls.lifecycle import ensure_current
from polls.records import stored_result
from tests.api.test_api import _token
from tests.conftest import Auth
from tests.factories import close_now, fresh, make_member, make_poll

WORDS = re.compile(r"<li><code>([a-z]+)</code></li>")


@pytest.fixture
def voters(app, session, world):
    with app.app_context():
        return [make_member(session, world.nord) for _ in range(4)]


@pytest.fixture
def board(app, session, world):
    """OV Nord's board of three: the world's board member and two more."""
    with app.app_context():
        more = [
            make_member(session, world.nord, roles=((world.nord, "board"),))
            for _ in range(2)
        ]
        session.commit()
        return [world.board, *more]


def _pick_up(app, member, poll) -> str:
    """The holder picks up their share in a browser of their own."""
    client = app.test_client()
    auth = Auth(client)
    auth.login(member)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Meinen Schlüsselanteil abholen" in page
    shown = auth.post(f"/polls/{poll.id}/key-share")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    words = WORDS.findall(shown.get_data(as_text=True))
    assert len(words) == 33  # a 256-bit secret as a SLIP-39 share
    # Once only: the button is gone and a second pick-up is refused.
    again = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Meinen Schlüsselanteil abholen" not in again
    refused = auth.post(f"/polls/{poll.id}/key-share", follow_redirects=True)
    assert "schon abgeholt" in refused.get_data(as_text=True)
    return " ".join(words)


def _recover(app, poll, shares: list[str]):
    return app.test_cli_runner().invoke(
        args=["recover-poll-key", str(poll.id)], input="\n".join(shares) + "\n"
    )


def test_two_of_three_shares_restore_a_lost_key_and_the_tally_is_right(
    app, world, session, client, auth, board, voters
):
    # No request context around the whole test: each holder's browser is a client
    # of its own, and a shared context would share their CSRF tokens too.
    with app.test_request_context():
        poll = make_poll(session, world.nord, world.organiser, escrow_threshold=2)
        yes, no = poll.options[0].id, poll.options[1].id
        for member, choice in zip(voters, [yes, yes, yes, no], strict=True):
            casting.cast(session, poll, member, [choice])
    assert poll.escrow_threshold == 2
    holders = session.scalars(
        select(PollKeyShare.member_id).where(PollKeyShare.poll_id == poll.id)
    ).all()
    assert sorted(holders) == sorted(m.id for m in board)
    session.rollback()  # no read transaction left open under the requests below
    auth.login(world.member)  # members see the trade-off stated
    text = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Schlüssel-Treuhand" in text and "Datensicherung" in text
    assert "Meinen Schlüsselanteil abholen" not in text  # not a holder
    shares = [_pick_up(app, member, poll) for member in board[:2]]
    # Picked-up shares are gone from the server; the third still waits.
    with app.app_context():
        assert not ballot_keys.share_path(poll.id, board[0].id).exists()
        assert ballot_keys.share_path(poll.id, board[2].id).exists()
        # The key folder is lost mid-poll: nothing is counted at closing.
        for path in ballot_keys.key_dir().iterdir():
            path.unlink()
    session.rollback()
    close_now(session, poll)
    with app.test_request_context():
        ensure_current(session, poll)
    fresh(session)
    assert poll.closed_at is None and poll.key_missing_at is not None
    organiser = Auth(app.test_client())
    organiser.login(world.organiser)
    page = organiser.client.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert "Schlüssel verloren." in page and "recover-poll-key" in page

    # One share is not enough; a share of another poll does not fit.
    session.rollback()
    with app.test_request_context():
        other = make_poll(session, world.nord, world.organiser, escrow_threshold=2)
        ensure_current(session, other)  # opened: its key and shares exist
        other_share = ballot_keys.share_path(other.id, board[2].id).read_text()
    assert _recover(app, poll, shares[:1]).exit_code != 0
    mixed = _recover(app, poll, [shares[0], other_share])
    assert mixed.exit_code != 0 and "fit" in mixed.output
    fresh(session)
    assert poll.closed_at is None

    done = _recover(app, poll, shares)
    assert done.exit_code == 0, done.output
    assert "restored from 2 shares and counted" in done.output
    fresh(session)
    assert poll.closed_at is not None and poll.key_missing_at is None
    counts = stored_result(poll)["counts"]
    assert counts[str(yes)] == 3 and counts[str(no)] == 1
    with app.app_context():
        # Sealing destroyed the key again, and the unclaimed share with it.
        assert not ballot_keys.key_path(poll.id).exists()
        assert not ballot_keys.share_path(poll.id, board[2].id).exists()
    # A sealed poll's key is never restored, even from good shares.
    again = _recover(app, poll, shares)
    assert again.exit_code != 0 and "sealed" in again.output


def test_without_escrow_a_lost_key_counts_nothing_and_cannot_be_recovered(
    app, world, session, ctx, board
):
    poll = make_poll(session, world.nord, world.organiser)
    casting.cast(session, poll, world.member, [poll.options[0].id])
    ballot_keys.key_path(poll.id).unlink()
    close_now(session, poll)
    ensure_current(session, poll)
    fresh(session)
    assert poll.closed_at is None and poll.result_json is None
    result = _recover(app, poll, ["any words"])
    assert result.exit_code != 0 and "no key escrow" in result.output
    assert not list(ballot_keys.key_dir().glob(f"poll-{poll.id}.share-*"))


def test_no_share_ever_enters_the_database(app, world, session, ctx, board, db_url):
    poll = make_poll(session, world.nord, world.organiser, escrow_threshold=3)
    ensure_current(session, poll)
    words = ballot_keys.share_path(poll.id, board[0].id).read_text().split()
    # Search every text and binary column of every table for a share's words.
    needle = " ".join(words[:4])
    for table in Poll.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            for value in row:
                if isinstance(value, bytes):
                    value = value.decode("latin-1")
                assert not (isinstance(value, str) and needle in value), table.name


def test_escrow_is_checked_when_the_poll_is_defined(app, world, session, ctx, board):
    # Named polls have no key to share; the board has three members.
    with pytest.raises(ValidationFailed) as named:
        make_poll(
            session, world.nord, world.organiser, secret=False, escrow_threshold=2
        )
    assert "escrow_threshold" in named.value.context["fields"]
    with pytest.raises(ValidationFailed) as too_many:
        make_poll(session, world.nord, world.organiser, escrow_threshold=4)
    assert "3" in too_many.value.context["fields"]["escrow_threshold"]
    # OV Süd has a board of one: no escrow there.
    with pytest.raises(ValidationFailed):
        make_poll(session, world.sued, world.admin, escrow_threshold=2)


def test_the_poll_form_and_the_api_take_escrow(
    app, world, session, client, auth, board
):
    auth.login(world.organiser)
    # the form's second step, once the kind is chosen
    form = client.get("/polls/new?kind=yes_no_abstain").get_data(as_text=True)
    assert 'name="escrow_threshold"' in form
    body = {
        "org_id": world.nord.id,
        "title": "Satzungsänderung",
        "kind": "yes_no_abstain",
        "opens_at": "2030-01-01T10:00:00+01:00",
        "closes_at": "2030-01-08T10:00:00+01:00",
    }
    orga = {"Authorization": f"Bearer {_token(client, world.organiser)}"}
    created = client.post(
        "/api/v1/polls", json={**body, "escrow_threshold": 2}, headers=orga
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["escrow_threshold"] == 2
    refused = client.post(
        "/api/v1/polls", json={**body, "escrow_threshold": 5}, headers=orga
    )
    assert refused.status_code == 422
    assert "escrow_threshold" in refused.get_json()["error"]["fields"]
