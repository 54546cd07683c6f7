"""The forum JSON API per INTERFACES.md, and the permission matrix of pages, API,
search and socket joins across two branches."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_post


def _token(client, member) -> dict:
    token = client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    ).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_forums_threads_posts_roundtrip(app, client, session, world, forums):
    headers = _token(client, world.member)
    listed = client.get("/api/v1/forums", headers=headers).get_json()
    names = [f["name"] for f in listed["items"]]
    assert "Nord-Forum" in names and "Programmdebatte" in names
    assert "Süd-Forum" not in names
    nord = next(f for f in listed["items"] if f["name"] == "Nord-Forum")
    assert nord["organisation"]["slug"] == "ov-nord"
    created = client.post(
        f"/api/v1/forums/{nord['id']}/threads",
        json={"title": "Über die API", "body": "Hallo *Welt*"},
        headers=headers,
    )
    assert created.status_code == 201
    thread = created.get_json()
    assert thread["id"] and thread["title"] == "Über die API"
    reply = client.post(
        f"/api/v1/threads/{thread['id']}/posts",
        json={"body": "Zweiter"},
        headers=headers,
    )
    assert reply.status_code == 201
    first_id = reply.get_json()["id"] - 1
    posts = client.get(f"/api/v1/threads/{thread['id']}/posts", headers=headers)
    items = posts.get_json()["items"]
    assert [p["number"] for p in items] == [1, 2]
    assert items[0]["html"] == "<p>Hallo <em>Welt</em></p>\n"
    after = client.get(
        f"/api/v1/threads/{thread['id']}/posts?after={first_id}", headers=headers
    ).get_json()["items"]
    assert [p["number"] for p in after] == [2]


def test_api_errors(client, session, world, forums):
    headers = _token(client, world.member)
    sued = forums.sued_thread.id
    assert (
        client.get(f"/api/v1/threads/{sued}/posts", headers=headers).status_code == 404
    )
    response = client.post(
        f"/api/v1/threads/{sued}/posts", json={"body": "x"}, headers=headers
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.post(
        f"/api/v1/threads/{forums.nord_thread.id}/posts",
        json={"body": ""},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    response = client.post(
        f"/api/v1/forums/{forums.nord.id}/threads", data="nope", headers=headers
    )
    assert response.status_code == 400
    assert client.get("/api/v1/forums").status_code == 401


def test_locked_thread_answers_409(app, auth, client, session, world, forums):
    auth.login(world.organiser)
    auth.post(f"/forums/threads/{forums.nord_thread.id}/moderate/lock")
    headers = _token(client, world.member)
    response = client.post(
        f"/api/v1/threads/{forums.nord_thread.id}/posts",
        json={"body": "Noch was"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "thread_locked"


def test_posts_paginate_with_next(app, client, session, world, forums):
    with app.app_context():
        for i in range(25):
            make_post(session, forums.nord_thread, world.board, f"Nr {i}")
    headers = _token(client, world.member)
    page = client.get(
        f"/api/v1/threads/{forums.nord_thread.id}/posts", headers=headers
    ).get_json()
    assert len(page["items"]) == 20 and page["next"]
    second = client.get(page["next"], headers=headers).get_json()
    assert len(second["items"]) == 6 and second["next"] is None


def test_openapi_documents_the_forum_routes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/forums",
        "/api/v1/forums/{forum_id}/threads",
        "/api/v1/threads/{thread_id}/posts",
        "/api/v1/search",
    ):
        assert path in spec["paths"], path


# --- permission matrix: who reaches OV Nord's thread, by page, API, search, socket --

ROLES = ["member", "organiser", "board", "admin", "sued_member", "sued_board"]
SEES_NORD = {"member", "organiser", "board", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, auth, client, socket_client, world, forums):
    member = getattr(world, role)
    allowed = role in SEES_NORD
    tid = forums.nord_thread.id
    auth.login(member)
    assert client.get(f"/forums/threads/{tid}").status_code == (200 if allowed else 404)
    assert client.get(f"/forums/{forums.nord.id}").status_code == (
        200 if allowed else 404
    )
    found = client.get("/forums/search?q=Lastenrad").get_data(as_text=True)
    assert ("<mark>Lastenrad" in found) == allowed
    socket = socket_client()
    ack = socket.emit("join", {"room": f"thread:{tid}"}, callback=True)
    assert ack["ok"] is allowed
    headers = _token(client, member)
    api = client.get(f"/api/v1/threads/{tid}/posts", headers=headers)
    assert api.status_code == (200 if allowed else 404)
    # everyone sees the Bund forum
    assert client.get(f"/forums/{forums.bund.id}").status_code == 200
