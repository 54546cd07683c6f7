"""Poll events: opening and closing reach the organisation's members; while open only
turnout is published, at most once per interval, and never counts."""

from __future__ import annotations

from polls import casting
from polls.lifecycle import ensure_current
from tests.factories import close_now, make_poll


def _events(received, name):
    return [r["args"][0] for r in received if r["name"] == name]


def test_open_close_and_turnout_events(world, app, session, auth, socket_client):
    poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.member)
    member = socket_client()
    assert member.emit("join", {"room": f"poll:{poll.id}"}, callback=True) == {
        "ok": True
    }
    casting._last_turnout.clear()
    with app.test_request_context():
        ensure_current(session, poll)
        casting.cast(session, poll, world.board, [poll.options[0].id])
        casting.cast(session, poll, world.admin, [poll.options[1].id])  # throttled
    received = member.get_received()  # drains: read every event from this list
    assert _events(received, "poll_opened") == [
        {"poll_id": poll.id, "title": poll.title}
    ]
    assert _events(received, "turnout") == [
        {"poll_id": poll.id, "ballots": 1, "electorate": 4}
    ]
    close_now(session, poll)
    with app.test_request_context():
        ensure_current(session, poll)
    assert _events(member.get_received(), "poll_closed") == [
        {"poll_id": poll.id, "title": poll.title}
    ]


def test_other_branches_hear_nothing_and_cannot_join(
    world, app, session, auth, socket_client
):
    poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.sued_member)
    other = socket_client()
    assert other.emit("join", {"room": f"poll:{poll.id}"}, callback=True) == {
        "ok": False,
        "error": "not_found",
    }
    with app.test_request_context():
        ensure_current(session, poll)
    assert other.get_received() == []


def test_badge_counts_open_polls(world, session, auth, client):
    make_poll(session, world.nord, world.organiser)
    make_poll(session, world.nord, world.organiser, opens_in=3600, closes_in=7200)
    auth.login(world.member)
    assert client.get("/polls/badge.json").get_json() == {"open_polls": 1}
    page = client.get("/").get_data(as_text=True)
    assert "<span data-count>1</span>" in page
