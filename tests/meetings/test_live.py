"""Meeting rooms with real Socket.IO clients (python-socketio) against a real server:
online check-in and presence, the agenda, the speakers' list, a live vote whose
electorate is exactly the members present, catching up after a dropped link, and a
member of another branch who is refused and hears nothing."""

from __future__ import annotations

import queue
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import SimpleNamespace

import pytest
import requests

from meetings import services
from meetings.live import ATTENDANCE_DELAY
from tests.factories import make_meeting, make_member, meeting_action
from tests.realtime.test_forum_live import Listener, token_for

MEETING_EVENTS = {
    "meeting_started",
    "meeting_ended",
    "agenda_changed",
    "speakers_changed",
    "vote_started",
    "vote_closed",
    "vote_updated",
    "attendance_changed",
}


@pytest.fixture
def room(app, session, world):
    """OV Nord's meeting (three items), started by world.organiser, and two more
    members of OV Nord who will check in."""
    with app.app_context():
        meeting = make_meeting(session, world.nord, world.organiser)
        meeting_action(session, services.start, world.organiser, meeting)
        anna = make_member(
            session, world.nord, email="anna@example.org", first_name="Anna"
        )
        ben = make_member(
            session, world.nord, email="ben@example.org", first_name="Ben"
        )
        session.commit()
        return SimpleNamespace(
            id=meeting.id,
            name=f"meeting:{meeting.id}",
            items=[i.id for i in meeting.items],
            speaking_seconds=meeting.speaking_seconds,
            anna=anna,
            ben=ben,
        )


class Api:
    """Token-authenticated JSON calls, one token per member."""

    def __init__(self, base: str):
        self.base = base
        self.tokens: dict[int, str] = {}

    def token(self, member) -> str:
        if member.id not in self.tokens:
            self.tokens[member.id] = token_for(self.base, member)
        return self.tokens[member.id]

    def __call__(self, member, method: str, path: str, json=None):
        return requests.request(
            method,
            f"{self.base}/api/v1{path}",
            json=json,
            headers={"Authorization": f"Bearer {self.token(member)}"},
            timeout=10,
        )


@pytest.fixture
def api(live_server):
    return Api(live_server.url)


@pytest.fixture
def listen(live_server, api):
    opened = []

    def make(member):
        listener = Listener(live_server.url, api.token(member))
        opened.append(listener)
        return listener

    yield make
    # Close them together: each disconnect still waits a moment (Listener.close).
    with ThreadPoolExecutor(max(1, len(opened))) as pool:
        list(pool.map(Listener.close, opened))
    # The last leave may have scheduled a coalesced attendance_changed: let it run
    # while the app and its database are still there.
    time.sleep(ATTENDANCE_DELAY + 0.5)


def act(listener: Listener, meeting_id: int, action: str, **extra) -> dict:
    """The `meeting` event, as the room page sends it; returns the ack."""
    return listener.client.call(
        "meeting", {"meeting_id": meeting_id, "action": action, **extra}, timeout=10
    )


def drain(listener: Listener, wait: float = 0.5) -> list[tuple[str, dict]]:
    """Every event received so far (after `wait` seconds), oldest first."""
    time.sleep(wait)
    seen = []
    while True:
        try:
            seen.append(listener.events.get_nowait())
        except queue.Empty:
            return seen


def present_ids(api: Api, chair, meeting_id: int) -> set[int]:
    response = api(chair, "GET", f"/meetings/{meeting_id}/attendance")
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()["present"]}


def wait_until(condition, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout} s")


def check_in(listener: Listener, room) -> dict:
    ack = listener.join(room.name, check_in=True)
    assert ack["ok"] is True, ack
    assert ack["state"]["me"]["present"] is True
    return ack["state"]


# --- attendance ------------------------------------------------------------------


def test_check_in_presence_and_disconnect(listen, api, world, room):
    chair = listen(world.organiser)
    ack = chair.join(room.name)  # the chair follows without checking in
    assert ack["ok"] is True
    assert ack["state"]["me"]["chair"] is True
    assert ack["state"]["me"]["present"] is False
    assert ack["state"]["attendance"]["present"] == 0
    anna, ben = listen(room.anna), listen(room.ben)
    state = check_in(anna, room)
    assert state["status"] == "running"
    assert state["me"] == {
        "id": room.anna.id,
        "chair": False,
        "can_attend": True,
        "present": True,
        "on_list": False,
    }
    check_in(ben, room)
    # Check-ins within a second come as one event; the count is the one at sending.
    event = chair.wait_for("attendance_changed", where=lambda d: d["present"] == 2)
    assert event == {
        "meeting_id": room.id,
        "present": 2,
        "quorum": 0,
        "quorum_met": True,
    }
    assert present_ids(api, world.organiser, room.id) == {room.anna.id, room.ben.id}
    # a re-join (a second tab) sees the same count and does not check in twice
    again = listen(room.anna)
    assert again.join(room.name, check_in=True)["state"]["attendance"]["present"] == 2
    again.close()  # Anna's other socket is still in the room: still present
    time.sleep(0.5)
    assert present_ids(api, world.organiser, room.id) == {room.anna.id, room.ben.id}
    # Ben's last (only) socket goes: his online attendance ends
    ben.close()
    wait_until(
        lambda: present_ids(api, world.organiser, room.id) == {room.anna.id},
        what="Ben no longer present",
    )
    event = chair.wait_for("attendance_changed", where=lambda d: d["present"] == 1)
    assert event["quorum_met"] is True
    # the attendance list is the chair's: members get 404
    assert api(room.anna, "GET", f"/meetings/{room.id}/attendance").status_code == 404
    # and the stretches record Ben's leaving
    stretches = api(world.organiser, "GET", f"/meetings/{room.id}/attendance").json()[
        "stretches"
    ]
    ben_rows = [s for s in stretches if s["member"]["id"] == room.ben.id]
    assert len(ben_rows) == 1 and ben_rows[0]["left_at"] is not None


def test_check_out_over_the_socket(listen, api, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna = listen(room.anna)
    check_in(anna, room)
    chair.wait_for("attendance_changed", where=lambda d: d["present"] == 1)
    assert act(anna, room.id, "check_out")["ok"] is True
    chair.wait_for("attendance_changed", where=lambda d: d["present"] == 0)
    assert present_ids(api, world.organiser, room.id) == set()
    assert act(anna, room.id, "check_in")["ok"] is True
    chair.wait_for("attendance_changed", where=lambda d: d["present"] == 1)


# --- agenda and speakers ---------------------------------------------------------


def test_agenda_moves_reach_every_member(listen, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    members = [listen(m) for m in (room.anna, room.ben, world.member)]
    for listener in members:
        state = check_in(listener, room)
        assert state["item"]["id"] == room.items[0]
    assert act(chair, room.id, "next_item")["ok"] is True
    for listener in [*members, chair]:
        event = listener.wait_for("agenda_changed")
        assert event["meeting_id"] == room.id
        assert event["item"]["id"] == room.items[1]
        assert event["item"]["position"] == 2
        assert event["item"]["opened"] is True
        assert event["item"]["title"] == "Lastenrad"
    # back to the first item by id
    ack = act(chair, room.id, "set_item", item_id=room.items[0])
    assert ack["ok"] is True
    for listener in members:
        assert listener.wait_for("agenda_changed")["item"]["id"] == room.items[0]
    # members cannot move the agenda; unknown items and actions are refused
    refused = act(members[0], room.id, "next_item")
    assert refused["ok"] is False and refused["error"] == "not_found"
    assert act(chair, room.id, "set_item", item_id=2**31 - 1)["error"] == "not_found"
    assert act(chair, room.id, "set_item", item_id="1")["error"] == "not_found"
    assert act(chair, room.id, "dance") == {"ok": False, "error": "unknown_action"}
    # past the last item: a conflict, and nothing is pushed
    assert act(chair, room.id, "set_item", item_id=room.items[2])["ok"] is True
    members[0].wait_for("agenda_changed", where=lambda d: d["item"]["position"] == 3)
    last = act(chair, room.id, "next_item")
    assert last["ok"] is False and last["error"] == "conflict"
    assert "agenda_changed" not in [e for e, _d in drain(members[0])]


def test_hands_raised_called_and_withdrawn(listen, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna, ben, mina = listen(room.anna), listen(room.ben), listen(world.member)
    for listener in (anna, ben):
        check_in(listener, room)
    # a member following without checking in may not ask to speak
    assert mina.join(room.name)["ok"] is True
    refused = act(mina, room.id, "raise_hand")
    assert refused["ok"] is False and refused["error"] == "conflict"

    assert act(anna, room.id, "raise_hand")["ok"] is True
    for listener in (chair, anna, ben, mina):
        event = listener.wait_for("speakers_changed")
        assert event["speakers"]["current"] is None
        assert [q["member"]["id"] for q in event["speakers"]["queue"]] == [room.anna.id]
        assert event["speakers"]["item_id"] == room.items[0]
    again = act(anna, room.id, "raise_hand")  # once at a time
    assert again["ok"] is False and again["error"] == "conflict"
    assert act(ben, room.id, "raise_hand")["ok"] is True
    event = chair.wait_for(
        "speakers_changed", where=lambda d: len(d["speakers"]["queue"]) == 2
    )
    assert [q["member"]["id"] for q in event["speakers"]["queue"]] == [
        room.anna.id,
        room.ben.id,
    ]
    # Ben thinks better of it
    assert act(ben, room.id, "withdraw")["ok"] is True
    event = mina.wait_for(
        "speakers_changed",
        where=lambda d: (
            [q["member"]["id"] for q in d["speakers"]["queue"]] == [room.anna.id]
        ),
    )
    assert act(ben, room.id, "withdraw")["error"] == "conflict"
    # only the chair calls
    assert act(anna, room.id, "next_speaker")["error"] == "not_found"
    assert act(chair, room.id, "next_speaker")["ok"] is True
    for listener in (chair, anna, ben, mina):
        event = listener.wait_for(
            "speakers_changed", where=lambda d: d["speakers"]["current"] is not None
        )
        current = event["speakers"]["current"]
        assert current["member"] == {"id": room.anna.id, "name": room.anna.name}
        assert event["speakers"]["queue"] == []
        called = datetime.fromisoformat(current["called_at"])
        ends = datetime.fromisoformat(current["ends_at"])
        assert (ends - called).total_seconds() == room.speaking_seconds
    # the speech ends; the list is empty again and Anna is among those who spoke
    assert act(chair, room.id, "finish_speaker")["ok"] is True
    event = ben.wait_for(
        "speakers_changed", where=lambda d: d["speakers"]["current"] is None
    )
    assert event["speakers"]["spoken"] == [room.anna.name]
    assert act(chair, room.id, "next_speaker")["error"] == "conflict"


# --- live votes ------------------------------------------------------------------


def _counts_absent(vote: dict | None) -> bool:
    return vote is None or (
        all("count" not in o for o in vote["options"]) and "result" not in vote
    )


def test_live_vote_electorate_is_who_is_present(listen, api, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna, ben = listen(room.anna), listen(room.ben)
    check_in(anna, room)
    check_in(ben, room)
    assert present_ids(api, world.organiser, room.id) == {room.anna.id, room.ben.id}
    # world.member is a member of OV Nord but not in the room
    started = api(
        world.organiser,
        "POST",
        f"/meetings/{room.id}/votes",
        json={"title": "Lastenrad kaufen?", "kind": "yes_no_abstain", "secret": True},
    )
    assert started.status_code == 201, started.text
    vote = started.json()
    poll_id = vote["poll_id"]
    assert vote["status"] == "open" and vote["electorate"] == 2
    assert vote["eligible"] is False  # the chair did not check in
    assert _counts_absent(vote)
    yes, no, abstain = (o["id"] for o in vote["options"])
    for listener in (chair, anna, ben):
        event = listener.wait_for("vote_started")
        assert event["vote"]["poll_id"] == poll_id
        assert event["vote"]["electorate"] == 2
        assert event["vote"]["status"] == "open"
        assert event["vote"]["agenda_item_id"] == room.items[0]
        assert _counts_absent(event["vote"])
    # a second vote cannot start while this one runs
    second = api(
        world.organiser,
        "POST",
        f"/meetings/{room.id}/votes",
        json={"title": "Noch eine", "kind": "yes_no_abstain"},
    )
    assert second.status_code == 409
    # the member who was not present is refused; checking in now does not help
    refused = api(
        world.member, "POST", f"/polls/{poll_id}/ballots", json={"choices": [yes]}
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "not_eligible"
    late = listen(world.member)
    late_state = check_in(late, room)
    assert late_state["vote"]["eligible"] is False
    assert _counts_absent(late_state["vote"])
    assert (
        api(
            world.member, "POST", f"/polls/{poll_id}/ballots", json={"choices": [yes]}
        ).status_code
        == 403
    )
    # the members present vote
    for member, choice in ((room.anna, yes), (room.ben, no)):
        cast = api(
            member, "POST", f"/polls/{poll_id}/ballots", json={"choices": [choice]}
        )
        assert cast.status_code == 201, cast.text
        assert cast.json()["receipt"]
    twice = api(room.anna, "POST", f"/polls/{poll_id}/ballots", json={"choices": [no]})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "already_voted"
    # while open, nobody sees counts: not in the state, not in any event, not as a
    # result
    state = api(room.anna, "GET", f"/meetings/{room.id}").json()
    assert state["vote"]["voted"] is True and state["vote"]["ballots"] == 2
    assert _counts_absent(state["vote"])
    assert api(room.anna, "GET", f"/polls/{poll_id}/results").status_code == 409
    for listener in (chair, anna, ben, late):
        for _event, data in drain(listener, 0.2):
            if isinstance(data, dict) and "vote" in data:
                assert _counts_absent(data["vote"]), data
    # members cannot close; the chair does
    assert (
        api(room.anna, "POST", f"/meetings/{room.id}/votes/{poll_id}/close").status_code
        == 404
    )
    closed = api(world.organiser, "POST", f"/meetings/{room.id}/votes/{poll_id}/close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    for listener in (chair, anna, ben, late):
        event = listener.wait_for("vote_closed")
        result = event["vote"]
        assert result["poll_id"] == poll_id and result["status"] == "closed"
        counts = {o["id"]: o["count"] for o in result["options"]}
        assert counts == {yes: 1, no: 1, abstain: 0}
        assert result["result"]["ballots"] == 2
        assert result["electorate"] == 2
    assert (
        api(
            world.organiser, "POST", f"/meetings/{room.id}/votes/{poll_id}/close"
        ).json()["error"]["code"]
        == "poll_not_open"
    )


# --- reconnect -------------------------------------------------------------------


def test_reconnect_returns_the_current_state(listen, api, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna, ben = listen(room.anna), listen(room.ben)
    check_in(anna, room)
    check_in(ben, room)
    started = api(
        world.organiser,
        "POST",
        f"/meetings/{room.id}/votes",
        json={"title": "Tagesordnung so?", "kind": "yes_no_abstain"},
    )
    assert started.status_code == 201, started.text
    poll_id, yes = started.json()["poll_id"], started.json()["options"][0]["id"]
    anna.close()  # the link drops
    wait_until(
        lambda: present_ids(api, world.organiser, room.id) == {room.ben.id},
        what="Anna no longer present",
    )
    # meanwhile: the agenda moves on and Ben gets the floor
    assert act(chair, room.id, "next_item")["ok"] is True
    assert act(ben, room.id, "raise_hand")["ok"] is True
    assert act(chair, room.id, "next_speaker")["ok"] is True
    chair.wait_for(
        "speakers_changed", where=lambda d: d["speakers"]["current"] is not None
    )
    # Anna is back
    again = listen(room.anna)
    state = check_in(again, room)
    assert state["item"]["id"] == room.items[1]
    assert state["speakers"]["item_id"] == room.items[1]
    current = state["speakers"]["current"]
    assert current["member"]["id"] == room.ben.id and current["ends_at"]
    vote = state["vote"]
    assert vote["poll_id"] == poll_id and vote["status"] == "open"
    assert vote["electorate"] == 2  # she was present when it started
    assert vote["eligible"] is True and vote["voted"] is False
    assert _counts_absent(vote)
    assert state["attendance"]["present"] == 2
    assert present_ids(api, world.organiser, room.id) == {room.anna.id, room.ben.id}
    # and she can still vote
    cast = api(room.anna, "POST", f"/polls/{poll_id}/ballots", json={"choices": [yes]})
    assert cast.status_code == 201, cast.text
    # the live events reach the new socket
    assert act(chair, room.id, "finish_speaker")["ok"] is True
    again.wait_for("speakers_changed", where=lambda d: d["speakers"]["current"] is None)


# --- other branches --------------------------------------------------------------


def test_member_of_another_branch_is_refused_and_hears_nothing(
    listen, api, world, room
):
    outsider = listen(world.sued_member)
    refused = outsider.join(room.name, check_in=True)
    assert refused == {"ok": False, "error": "not_found"}
    assert act(outsider, room.id, "raise_hand") == {
        "ok": False,
        "error": "not_joined",
    }
    assert act(outsider, room.id, "check_in")["error"] == "not_joined"
    assert api(world.sued_member, "GET", f"/meetings/{room.id}").status_code == 404
    chair = listen(world.organiser)
    chair.join(room.name)
    anna = listen(room.anna)
    check_in(anna, room)
    assert act(chair, room.id, "next_item")["ok"] is True
    assert act(anna, room.id, "raise_hand")["ok"] is True
    assert act(chair, room.id, "next_speaker")["ok"] is True
    started = api(
        world.organiser,
        "POST",
        f"/meetings/{room.id}/votes",
        json={"title": "Geheim?", "kind": "yes_no_abstain"},
    )
    assert started.status_code == 201, started.text
    poll_id = started.json()["poll_id"]
    assert (
        api(
            world.organiser, "POST", f"/meetings/{room.id}/votes/{poll_id}/close"
        ).status_code
        == 200
    )
    anna.wait_for("vote_closed")
    received = {event for event, _data in drain(outsider, 1.5)}
    assert not received & (MEETING_EVENTS | {"presence"}), received
    assert present_ids(api, world.organiser, room.id) == {room.anna.id}
    # nor does the ballot box open to them
    ballot = api(
        world.sued_member, "POST", f"/polls/{poll_id}/ballots", json={"choices": [1]}
    )
    assert ballot.status_code == 404


def test_vote_closed_carries_the_result_after_the_agenda_moved(
    listen, api, world, room
):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna = listen(room.anna)
    check_in(anna, room)
    started = api(
        world.organiser,
        "POST",
        f"/meetings/{room.id}/votes",
        json={"title": "Lastenrad?", "kind": "yes_no_abstain"},
    )
    assert started.status_code == 201, started.text
    poll_id, yes = started.json()["poll_id"], started.json()["options"][0]["id"]
    assert act(chair, room.id, "next_item")["ok"] is True  # while the vote runs
    assert anna.wait_for("agenda_changed")["vote"]["poll_id"] == poll_id
    cast = api(room.anna, "POST", f"/polls/{poll_id}/ballots", json={"choices": [yes]})
    assert cast.status_code == 201, cast.text
    closed = api(world.organiser, "POST", f"/meetings/{room.id}/votes/{poll_id}/close")
    assert closed.status_code == 200, closed.text
    vote = anna.wait_for("vote_closed")["vote"]
    assert vote is not None and vote["poll_id"] == poll_id
    assert {o["id"]: o["count"] for o in vote["options"]}[yes] == 1


# --- leaving for a moment, double clicks -------------------------------------------

GRACE = 4.0  # seconds: long enough for a reconnect, short enough for a test


@pytest.mark.parametrize("app_overrides", [{"MEETING_LEAVE_GRACE": GRACE}])
def test_short_absence_keeps_presence_and_a_long_one_ends_it(listen, api, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna = listen(room.anna)
    check_in(anna, room)
    anna.close()
    again = listen(room.anna)
    check_in(again, room)  # back within the grace time
    time.sleep(GRACE + 1.5)
    assert present_ids(api, world.organiser, room.id) == {room.anna.id}
    stretches = api(world.organiser, "GET", f"/meetings/{room.id}/attendance").json()
    assert [s["left_at"] for s in stretches["stretches"]] == [None]  # one stretch

    again.close()
    assert present_ids(api, world.organiser, room.id) == {room.anna.id}  # grace
    deadline = time.monotonic() + GRACE + 10
    while present_ids(api, world.organiser, room.id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert present_ids(api, world.organiser, room.id) == set()


def test_a_double_click_calls_one_speaker_and_moves_one_item(listen, world, room):
    chair = listen(world.organiser)
    chair.join(room.name)
    anna, ben = listen(room.anna), listen(room.ben)
    for member in (anna, ben):
        check_in(member, room)
        assert act(member, room.id, "raise_hand")["ok"] is True
    first = act(chair, room.id, "next_speaker", speaker_request_id=0)
    second = act(chair, room.id, "next_speaker", speaker_request_id=0)
    assert first["ok"] is True and second["error"] == "conflict"
    state = chair.join(room.name)["state"]
    assert state["speakers"]["current"]["member"]["id"] == room.anna.id
    assert [q["member"]["id"] for q in state["speakers"]["queue"]] == [room.ben.id]
    item = state["item"]["id"]
    assert act(chair, room.id, "next_item", from_item_id=item)["ok"] is True
    assert act(chair, room.id, "next_item", from_item_id=item)["error"] == "conflict"
    assert chair.join(room.name)["state"]["item"]["id"] == room.items[1]
