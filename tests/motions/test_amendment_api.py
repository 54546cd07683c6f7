"""Amendments through the JSON API: a member of the subtree proposes new text for
lines of a motion and reads them back with overlaps named; lines the motion does
not have, decided motions and members of other branches are refused with a stable
code; the routes are in the OpenAPI document."""

from __future__ import annotations

from motions import services

from .conftest import act, submit
from .test_api import API, Api

TEXT = "Der Ortsverein fordert mehr Radwege.\n\nUnd Bänke."


def test_propose_and_list_amendments(app, session, world, client, book):
    with app.app_context():
        motion = submit(session, book, world.member, text=TEXT)
    api = Api(client, world.board)
    first = api(
        "POST",
        f"/motions/{motion.id}/amendments",
        201,
        json={"first_line": 1, "last_line": 1, "text": "Der Ortsverein fordert Busse."},
    )
    assert (first["label"], first["status"], first["version"]) == ("Ä1", "submitted", 1)
    assert first["submitter"] == {"id": world.board.id, "name": world.board.name}
    Api(client, world.member)(
        "POST",
        f"/motions/{motion.id}/amendments",
        201,
        json={"first_line": 1, "last_line": 2, "text": "Nur Bänke.", "reasoning": "R"},
    )
    listed = api("GET", f"/motions/{motion.id}/amendments")["items"]
    assert [(a["label"], a["first_line"], a["last_line"]) for a in listed] == [
        ("Ä1", 1, 1),
        ("Ä2", 1, 2),
    ]
    assert listed[0]["overlaps"] == ["Ä2"] and listed[1]["overlaps"] == ["Ä1"]
    assert listed[1]["reasoning"] == "R" and listed[0]["stale"] == ""


def test_bad_amendments_are_refused_with_a_code(app, session, world, client, book):
    with app.app_context():
        motion = submit(session, book, world.member, text=TEXT)
    api = Api(client, world.board)
    path = f"/motions/{motion.id}/amendments"
    error = api("POST", path, 409, json={"first_line": 7, "last_line": 8, "text": "x"})
    assert error["error"]["code"] == "amendment_lines_gone"
    error = api("POST", path, 422, json={"first_line": 2, "last_line": 1, "text": "x"})
    assert error["error"]["code"] == "invalid_line_range"
    error = api("POST", path, 422, json={"last_line": 1, "text": "x"})
    assert "first_line" in error["error"]["fields"]
    other = Api(client, world.sued_member)
    assert other("GET", path, 404)["error"]["code"] == "not_found"
    other("POST", path, 404, json={"first_line": 1, "last_line": 1, "text": "x"})
    with app.app_context():
        act(session, services.withdraw, world.member, motion)
    error = api("POST", path, 409, json={"first_line": 1, "last_line": 1, "text": "x"})
    assert error["error"]["code"] == "transition_not_allowed"
    assert api("GET", path)["items"] == []


def test_amendment_routes_are_documented(client):
    doc = client.get(f"{API}/openapi.json").get_json()
    route = doc["paths"]["/api/v1/motions/{motion_id}/amendments"]
    assert set(route) == {"get", "post"}
    assert {"Amendment", "AmendmentList", "AmendmentPropose"} <= set(
        doc["components"]["schemas"]
    )
