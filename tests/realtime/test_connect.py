"""Socket.IO connections are authenticated by login session or API token."""

from __future__ import annotations

import socketio as sio_client

from tests.factories import PASSWORD


def test_anonymous_connection_is_refused(socket_client):
    client = socket_client()
    assert not client.is_connected()


def test_connection_with_login_session(world, auth, socket_client):
    auth.login(world.member)
    client = socket_client()
    assert client.is_connected()
    ack = client.emit("join", {"room": "thread:1"}, callback=True)
    assert ack == {"ok": False, "error": "not_found"}  # no such room kind yet
    assert client.emit("join", {"room": "nonsense"}, callback=True) == {
        "ok": False,
        "error": "bad_room",
    }


def test_connection_with_api_token(world, client, socket_client):
    token = client.post(
        "/api/v1/auth/token", json={"email": world.member.email, "password": PASSWORD}
    ).get_json()["token"]
    assert socket_client(auth={"token": token}).is_connected()
    assert not socket_client(auth={"token": "ov_wrong"}).is_connected()


def test_member_room_and_publish(world, auth, socket_client, app):
    from ortsverein.realtime import member_room, publish

    auth.login(world.member)
    client = socket_client()
    with app.app_context():
        publish(
            "notification",
            {"id": 1, "kind": "test", "text": "Hallo", "url": "/"},
            member_room(world.member.id),
        )
        publish(
            "notification",
            {"id": 2, "kind": "test", "text": "Nicht für dich", "url": "/"},
            member_room(world.board.id),
        )
    received = client.get_received()
    assert [r["args"][0]["id"] for r in received if r["name"] == "notification"] == [1]


def test_deactivation_disconnects_the_members_sockets(world, app, auth, socket_client):
    from tests.conftest import Auth

    auth.login(world.member)
    client = socket_client()
    assert client.is_connected()
    board = app.test_client()
    Auth(board).login(world.board)
    Auth(board).post(f"/members/{world.member.id}/deactivate")
    assert not client.is_connected()


def test_real_client_over_websocket(world, live_server, client):
    token = client.post(
        "/api/v1/auth/token", json={"email": world.member.email, "password": PASSWORD}
    ).get_json()["token"]
    real = sio_client.SimpleClient()
    real.connect(
        live_server.url,
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=10,
    )
    try:
        assert real.connected
        assert real.call("join", {"room": "meeting:1"}, timeout=10) == {
            "ok": False,
            "error": "not_found",
        }
    finally:
        real.disconnect()
    refused = sio_client.SimpleClient()
    try:
        refused.connect(live_server.url, transports=["websocket"], wait_timeout=5)
        connected = refused.connected
    except sio_client.exceptions.ConnectionError:
        connected = False
    assert not connected
