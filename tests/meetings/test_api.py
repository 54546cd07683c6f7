"""The meeting JSON API: planning, visibility across two branches, running a meeting
(attendance, speakers, agenda), live votes with paper ballots, the chair's lists."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from meetings import services
from models import utcnow
from tests.factories import PASSWORD, make_meeting, make_member, meeting_action

API = "/api/v1"


def _token(client, member) -> dict:
    response = client.post(
        f"{API}/auth/token", json={"email": member.email, "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


class Api:
    """Requests as one member, asserting the status."""

    def __init__(self, client, member):
        self.client, self.headers = client, _token(client, member)

    def __call__(self, method, path, expect=200, **kwargs):
        response = self.client.open(
            f"{API}{path}", method=method, headers=self.headers, **kwargs
        )
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def code(self, method, path, expect, code, **kwargs) -> dict:
        error = self(method, path, expect, **kwargs)["error"]
        assert error["code"] == code and error["message"], error
        return error


def _plan(**overrides) -> dict:
    start = utcnow() + timedelta(days=2)
    return {
        "title": "Ortsvereinssitzung",
        "body": "Wir treffen uns **online**.",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "quorum": 2,
        "speaking_seconds": 120,
        "items": [{"title": "Begrüßung"}, {"title": "Lastenrad", "body": "*Ja?*"}],
        **overrides,
    }


@pytest.fixture
def nord(app, session, world):
    """Two more members of OV Nord: `voter` checks in, `absent` does not."""
    with app.app_context():  # for the password hasher's settings
        voter = make_member(session, world.nord, first_name="Vera")
        absent = make_member(session, world.nord, first_name="Anton")
        session.commit()
    return voter, absent


def _running(client, session, world):
    meeting = make_meeting(session, world.nord, world.organiser, quorum=2)
    meeting_action(session, services.start, world.organiser, meeting)
    return meeting.id, Api(client, world.organiser)


def test_organiser_plans_a_meeting_plain_member_cannot(client, world, forums):
    orga = Api(client, world.organiser)
    body = _plan(org_id=world.nord.id, chairs=["Mitglied@example.org"])
    created = orga("POST", "/meetings", 201, json={**body, "forum_id": forums.nord.id})
    assert created["id"] and created["title"] == "Ortsvereinssitzung"
    assert created["organisation"] == {
        "id": world.nord.id,
        "name": "OV Nord",
        "slug": "ov-nord",
    }
    assert created["status"] == "scheduled" and created["quorum"] == 2
    assert created["speaking_seconds"] == 120 and created["alternating"] is False
    assert created["chairs"] == [world.member.id]
    assert datetime.fromisoformat(created["starts_at"]) == datetime.fromisoformat(
        body["starts_at"]
    )
    items = created["items"]
    assert [(i["position"], i["title"]) for i in items] == [
        (1, "Begrüßung"),
        (2, "Lastenrad"),
    ]
    assert items[1]["html"] == "<p><em>Ja?</em></p>\n"
    assert all(i["thread_id"] for i in items)  # threads opened in the forum

    for member in (world.member, world.sued_board):
        other = Api(client, member)
        other.code("POST", "/meetings", 404, "not_found", json=body)
    assert client.post(f"{API}/meetings", json=body).status_code == 401


@pytest.mark.parametrize(
    "change,field",
    [
        ({"starts_at": "2030-03-04T19:30:00"}, "starts_at"),  # no offset
        ({"ends_at": "gestern"}, "ends_at"),
        ({"items": None}, "items"),
        ({"title": ""}, "title"),
        ({"items": [{"body": "ohne Titel"}]}, "items"),
        ({"items": []}, "items"),  # from the service
        ({"speaking_seconds": 5}, "speaking_seconds"),
        ({"chairs": ["niemand@example.org"]}, "chairs"),
        ({"ends_at": (utcnow() + timedelta(days=1)).isoformat()}, "ends_at"),
    ],
)
def test_invalid_plans_answer_422_naming_the_field(client, world, change, field):
    orga = Api(client, world.organiser)
    body = {**_plan(org_id=world.nord.id), **change}
    error = orga.code("POST", "/meetings", 422, "validation_error", json=body)
    named = {name.split(".")[0] for name in error["fields"]}  # items.0.title
    assert field in named, error
    assert all(isinstance(m, str) and m for m in error["fields"].values()), error
    assert orga("GET", "/meetings")["items"] == []


def test_lists_and_state_across_two_branches(client, session, world):
    meetings = [
        make_meeting(session, world.nord, world.organiser, title=f"Nord {n}")
        for n in range(3)
    ]
    sued = make_meeting(session, world.sued, world.admin, title="Süd")
    meeting_action(session, services.start, world.organiser, meetings[0])
    meeting_action(session, services.end, world.organiser, meetings[0])

    member = Api(client, world.member)
    page = member("GET", "/meetings?per_page=1")
    assert [m["title"] for m in page["items"]] == ["Nord 1"] and page["next"]
    rest = client.get(page["next"], headers=member.headers).get_json()
    assert [m["title"] for m in rest["items"]] == ["Nord 2"] and rest["next"] is None
    past = member("GET", "/meetings?when=past")["items"]
    assert [(m["title"], m["status"]) for m in past] == [("Nord 0", "ended")]
    member.code("GET", "/meetings?when=gestern", 422, "validation_error")

    state = member("GET", f"/meetings/{meetings[1].id}")
    assert state["meeting_id"] == meetings[1].id and state["status"] == "scheduled"
    assert [i["title"] for i in state["items"]] == [
        "Begrüßung",
        "Lastenrad",
        "Verschiedenes",
    ]
    assert state["me"] == {
        "id": world.member.id,
        "chair": False,
        "can_attend": True,
        "present": False,
        "on_list": False,
    }
    assert state["item"] is None and state["vote"] is None
    assert state["attendance"] == {"present": 0, "quorum": 0, "quorum_met": True}
    member.code("GET", f"/meetings/{sued.id}", 404, "not_found")
    member.code("POST", f"/meetings/{sued.id}/check-in", 404, "not_found")

    stranger = Api(client, world.sued_member)
    titles = [m["title"] for m in stranger("GET", "/meetings")["items"]]
    assert titles == ["Süd"]
    for meeting in meetings:
        stranger.code("GET", f"/meetings/{meeting.id}", 404, "not_found")
    stranger.code("POST", f"/meetings/{meetings[1].id}/check-in", 404, "not_found")
    Api(client, world.sued_board).code(
        "GET", f"/meetings/{meetings[2].id}/attendance", 404, "not_found"
    )
    member.code("GET", "/meetings/2147483647", 404, "not_found")


def test_running_a_meeting_speakers_and_agenda(client, session, world, nord):
    meeting = make_meeting(session, world.nord, world.organiser, speaking_seconds=90)
    url = f"/meetings/{meeting.id}"
    orga, member, voter = (
        Api(client, m) for m in (world.organiser, world.member, nord[0])
    )
    member.code("POST", f"{url}/check-in", 409, "conflict")  # not started
    member.code("POST", f"{url}/start", 404, "not_found")
    state = orga("POST", f"{url}/start")
    assert state["status"] == "running" and state["item"]["title"] == "Begrüßung"
    assert state["me"]["chair"] is True
    orga.code("POST", f"{url}/start", 409, "conflict")

    voter.code("POST", f"{url}/speakers", 409, "conflict")  # not present yet
    state = member("POST", f"{url}/check-in")
    assert state["me"]["present"] is True and state["attendance"]["present"] == 1
    assert member("POST", f"{url}/check-in")["attendance"]["present"] == 1
    voter("POST", f"{url}/check-in")
    state = member("POST", f"{url}/speakers")
    assert state["me"]["on_list"] is True
    assert [q["member"]["id"] for q in state["speakers"]["queue"]] == [world.member.id]
    member.code("POST", f"{url}/speakers", 409, "conflict")
    voter("POST", f"{url}/speakers")
    state = voter("DELETE", f"{url}/speakers")
    assert state["me"]["on_list"] is False
    voter.code("DELETE", f"{url}/speakers", 409, "conflict")

    member.code("POST", f"{url}/speakers/next", 404, "not_found")
    state = orga("POST", f"{url}/speakers/next")
    current = state["speakers"]["current"]
    assert current["member"] == {"id": world.member.id, "name": world.member.name}
    called = datetime.fromisoformat(current["called_at"])
    assert datetime.fromisoformat(current["ends_at"]) == called + timedelta(seconds=90)
    assert abs(called - utcnow()) < timedelta(minutes=1)
    assert state["speakers"]["queue"] == []
    seen = member("GET", url)["speakers"]["current"]
    assert seen["request_id"] == current["request_id"]
    state = orga("POST", f"{url}/speakers/finish")
    assert state["speakers"]["current"] is None
    assert state["speakers"]["spoken"] == [world.member.name]
    orga.code("POST", f"{url}/speakers/finish", 409, "conflict")
    orga.code("POST", f"{url}/speakers/next", 409, "conflict")

    second = state["items"][1]["id"]
    member.code(
        "PUT", f"{url}/current-item", 404, "not_found", json={"item_id": second}
    )
    orga.code("PUT", f"{url}/current-item", 404, "not_found", json={"item_id": 999999})
    orga.code("PUT", f"{url}/current-item", 422, "validation_error", json={})
    state = orga("PUT", f"{url}/current-item", json={"item_id": second})
    assert state["item"]["id"] == second and state["speakers"]["item_id"] == second
    assert member("GET", url)["item"]["title"] == "Lastenrad"

    member.code("POST", f"{url}/items", 404, "not_found", json={"title": "Neu"})
    orga.code("POST", f"{url}/items", 422, "validation_error", json={"title": ""})
    item = orga("POST", f"{url}/items", 201, json={"title": "Anträge", "body": "x"})
    assert item["id"] and item["position"] == 4 and item["title"] == "Anträge"
    assert [i["title"] for i in member("GET", url)["items"]][-1] == "Anträge"

    state = member("POST", f"{url}/check-out")
    assert state["me"]["present"] is False and state["attendance"]["present"] == 1
    member("POST", f"{url}/check-out")
    state = orga("POST", f"{url}/end")
    assert state["status"] == "ended" and state["attendance"]["present"] == 0
    orga.code("POST", f"{url}/end", 409, "conflict")
    orga.code("POST", f"{url}/items", 409, "conflict", json={"title": "Zu spät"})


def test_live_vote_for_those_present_with_paper_ballots(client, session, world, nord):
    meeting_id, orga = _running(client, session, world)
    url = f"/meetings/{meeting_id}"
    voter, absent = nord
    member, paper, away = (Api(client, m) for m in (world.member, voter, absent))
    vote = {"title": "Lastenrad kaufen?", "kind": "yes_no_abstain", "secret": True}
    orga.code("POST", f"{url}/votes", 422, "validation_error", json=vote)  # nobody
    member("POST", f"{url}/check-in")
    orga("POST", f"{url}/room-attendance", json={"member_id": voter.id})  # in the room
    member.code("POST", f"{url}/votes", 404, "not_found", json=vote)
    orga.code(
        "POST", f"{url}/votes", 422, "validation_error", json={**vote, "kind": "los"}
    )

    summary = orga("POST", f"{url}/votes", 201, json=vote)
    assert summary["status"] == "open" and summary["electorate"] == 2
    assert summary["ballots"] == 0 and summary["kind"] == "yes_no_abstain"
    assert summary["eligible"] is False  # the chair did not check in
    poll_id = summary["poll_id"]
    yes, no, abstain = (o["id"] for o in summary["options"])
    orga.code("POST", f"{url}/votes", 409, "conflict", json=vote)
    orga.code("POST", f"{url}/end", 409, "conflict")

    # Checking in after the start does not join the electorate.
    away("POST", f"{url}/check-in")
    away.code(
        "POST",
        f"/polls/{poll_id}/ballots",
        403,
        "not_eligible",
        json={"choices": [yes]},
    )
    mine = member("GET", url)["vote"]
    assert mine["poll_id"] == poll_id and mine["eligible"] and not mine["voted"]
    assert member("POST", f"/polls/{poll_id}/ballots", 201, json={"choices": [no]})[
        "receipt"
    ]
    member.code(
        "POST",
        f"/polls/{poll_id}/ballots",
        409,
        "already_voted",
        json={"choices": [no]},
    )
    assert member("GET", url)["vote"]["voted"] is True

    paper_url = f"{url}/votes/{poll_id}/paper"
    orga.code(  # counts that do not add up
        "POST",
        paper_url,
        422,
        "validation_error",
        json={"member_ids": [voter.id], "counts": {str(yes): 2}, "blank": 0},
    )
    orga.code(  # someone who is not in the electorate
        "POST",
        paper_url,
        422,
        "validation_error",
        json={"member_ids": [absent.id], "counts": {str(yes): 1}},
    )
    orga.code(  # someone who attends (and votes) online, not in the room
        "POST",
        paper_url,
        422,
        "validation_error",
        json={"member_ids": [voter.id, world.member.id], "counts": {str(yes): 2}},
    )
    member.code(
        "POST", paper_url, 404, "not_found", json={"member_ids": [], "counts": {}}
    )
    summary = orga(
        "POST", paper_url, json={"member_ids": [voter.id], "counts": {str(yes): 1}}
    )
    assert summary["paper_ballots"] == 1 and summary["ballots"] == 2
    orga.code(
        "POST",
        paper_url,
        409,
        "conflict",
        json={"member_ids": [voter.id], "counts": {str(yes): 1}},
    )
    paper.code(
        "POST",
        f"/polls/{poll_id}/ballots",
        409,
        "already_voted",
        json={"choices": [yes]},
    )

    member.code("POST", f"{url}/votes/{poll_id}/close", 404, "not_found")
    orga.code("POST", f"{url}/votes/999999/close", 404, "not_found")
    summary = orga("POST", f"{url}/votes/{poll_id}/close")
    assert summary["status"] == "closed"
    counts = {o["id"]: o["count"] for o in summary["options"]}
    assert counts == {yes: 1, no: 1, abstain: 0}
    assert summary["result"]["ballots"] == 2 and summary["result"]["outcome"]
    assert summary["result"]["ballot_digest"]
    orga.code("POST", f"{url}/votes/{poll_id}/close", 409, "poll_not_open")
    assert member("GET", url)["vote"]["result"]["ballots"] == 2
    assert orga("POST", f"{url}/end")["status"] == "ended"


def test_attendance_is_for_the_chair(client, session, world, nord):
    meeting_id, orga = _running(client, session, world)
    url = f"/meetings/{meeting_id}"
    voter, _absent = nord
    member = Api(client, world.member)
    member("POST", f"{url}/check-in")
    member.code("GET", f"{url}/attendance", 404, "not_found")
    member.code(
        "POST", f"{url}/room-attendance", 404, "not_found", json={"member_id": voter.id}
    )
    listed = orga("POST", f"{url}/room-attendance", json={"member_id": voter.id})
    present = {p["id"]: p for p in listed["present"]}
    assert set(present) == {world.member.id, voter.id}
    assert present[voter.id]["in_room"] and not present[voter.id]["online"]
    assert present[world.member.id]["online"]
    assert datetime.fromisoformat(present[voter.id]["since"])
    orga.code(
        "POST",
        f"{url}/room-attendance",
        404,
        "not_found",
        json={"member_id": world.sued_member.id},
    )
    assert member("GET", url)["attendance"] == {
        "present": 2,
        "quorum": 2,
        "quorum_met": True,
    }

    listed = orga("DELETE", f"{url}/room-attendance/{voter.id}")
    assert [p["id"] for p in listed["present"]] == [world.member.id]
    member.code("DELETE", f"{url}/room-attendance/{voter.id}", 404, "not_found")
    member("POST", f"{url}/check-out")
    stretches = orga("GET", f"{url}/attendance")["stretches"]
    assert [(s["member"]["id"], s["in_room"]) for s in stretches] == [
        (world.member.id, False),
        (voter.id, True),
    ]
    assert all(s["joined_at"] and s["left_at"] for s in stretches)
    assert orga("GET", f"{url}/attendance")["present"] == []


def test_openapi_documents_the_meeting_routes(client):
    from openapi_spec_validator import validate

    spec = client.get(f"{API}/openapi.json").get_json()
    validate(spec)
    base = "/api/v1/meetings"
    expected = {
        base: {"get", "post"},
        base + "/{meeting_id}": {"get"},
        base + "/{meeting_id}/speakers": {"post", "delete"},
        base + "/{meeting_id}/current-item": {"put"},
        base + "/{meeting_id}/attendance": {"get"},
        base + "/{meeting_id}/room-attendance/{member_id}": {"delete"},
    }
    for path in (
        "start",
        "end",
        "check-in",
        "check-out",
        "speakers/next",
        "speakers/finish",
        "items",
        "room-attendance",
        "votes",
        "votes/{poll_id}/close",
        "votes/{poll_id}/paper",
    ):
        expected[f"{base}/{{meeting_id}}/{path}"] = {"post"}
    for path, methods in expected.items():
        assert set(spec["paths"].get(path, {})) == methods, path
    for name in ("Meeting", "MeetingState", "MeetingCreate", "VoteSummary"):
        assert name in spec["components"]["schemas"]
    state = spec["paths"][base + "/{meeting_id}"]["get"]["responses"]["200"]
    assert state["content"]["application/json"]["schema"]["$ref"].endswith(
        "/MeetingState"
    )


def test_named_chair_runs_the_meeting_and_its_votes(client, session, world, nord):
    meeting = make_meeting(
        session, world.nord, world.organiser, chair_emails=[world.board.email]
    )
    url = f"/meetings/{meeting.id}"
    chair, voter = Api(client, world.board), Api(client, nord[0])
    assert chair("POST", f"{url}/start")["me"]["chair"] is True
    voter("POST", f"{url}/check-in")
    assert chair("GET", f"{url}/attendance")["present"][0]["id"] == nord[0].id
    vote = {"title": "Vertagen?", "kind": "single_choice", "options": ["A", "B"]}
    summary = chair("POST", f"{url}/votes", 201, json={**vote, "quorum_percent": 50})
    assert summary["electorate"] == 1 and summary["kind"] == "single_choice"
    closed = chair("POST", f"{url}/votes/{summary['poll_id']}/close")
    assert closed["status"] == "closed" and closed["result"]["quorum_met"] is False
