"""Live threads with real Socket.IO clients (python-socketio) against a real server:
new posts arrive sanitised, presence and typing, catch-up after a dropped link,
refused joins across branches, and access that ends at once."""

from __future__ import annotations

import functools
import queue
import time

import pytest
import requests
import socketio

from tests.factories import PASSWORD, make_post


def token_for(base: str, member) -> str:
    response = requests.post(
        f"{base}/api/v1/auth/token",
        json={"email": member.email, "password": PASSWORD},
        timeout=30,  # the live server shares two cores with CI's other workers
    )
    assert response.status_code == 201, response.text
    return response.json()["token"]


class Listener:
    """A real Socket.IO client that queues every event it receives."""

    def __init__(self, base: str, token: str, http_session=None, **connect):
        self.events: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False, http_session=http_session)
        self.client.on("*", lambda event, data: self.events.put((event, data)))
        self.client.connect(
            base,
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=10,
            **connect,
        )

    def join(self, room: str, **extra) -> dict:
        # 30 s, not 10: with the suite's browser tests on the same 2 cores, a join
        # was once seen to take longer than 10 s (CI, 2026-12-03).
        return self.client.call("join", {"room": room, **extra}, timeout=30)

    def wait_for(self, name: str, timeout: float = 10.0, where=lambda d: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if event == name and where(data):
                return data
        raise AssertionError(f"no {name} event within {timeout} s")

    def names(self, wait: float = 0.5) -> list[str]:
        time.sleep(wait)
        seen = []
        while not self.events.empty():
            seen.append(self.events.get()[0])
        return seen

    def close(self):
        if self.client.connected:
            # The live_server fixture's werkzeug server ends a WebSocket without a
            # close frame of its own (it reads the client's as a new HTTP request),
            # and websocket-client waits 3 s for one on every disconnect: the server
            # has already seen the Engine.IO close packet sent before it.
            ws = self.client.eio.ws
            if ws is not None:
                ws.close = functools.partial(ws.close, timeout=0.2)
            self.client.disconnect()


@pytest.fixture
def listen(live_server):
    opened = []

    def make(member):
        listener = Listener(live_server.url, token_for(live_server.url, member))
        opened.append(listener)
        return listener

    yield make
    for listener in opened:
        listener.close()


def test_post_over_http_reaches_the_other_reader_sanitised(
    live_server, listen, world, forums
):
    thread = forums.nord_thread
    reader = listen(world.member)
    assert reader.join(f"thread:{thread.id}") == {"ok": True}
    writer_token = token_for(live_server.url, world.board)
    response = requests.post(
        f"{live_server.url}/api/v1/threads/{thread.id}/posts",
        json={
            "body": "Klar! <script>alert(1)</script> **ja** [x](javascript:alert(1))"
        },
        headers={"Authorization": f"Bearer {writer_token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    payload = reader.wait_for("post_created")
    assert payload["thread_id"] == thread.id
    post = payload["post"]
    assert post["id"] == response.json()["id"]
    assert post["author"] == world.board.name
    assert "<strong>ja</strong>" in post["html"]
    assert "<script" not in post["html"]  # shown as text, escaped
    assert "href" not in post["html"]  # the javascript: link was not made a link
    assert post["created_at"]


def test_presence_and_typing(listen, world, forums):
    room = f"thread:{forums.nord_thread.id}"
    first, second = listen(world.member), listen(world.board)
    assert first.join(room) == {"ok": True}
    assert second.join(room) == {"ok": True}
    first.wait_for("presence", where=lambda d: d == {"room": room, "count": 2})
    assert second.client.call("typing", {"room": room}, timeout=10) == {"ok": True}
    typing = first.wait_for("typing")
    assert typing == {"room": room, "members": [world.board.name]}
    assert "typing" not in second.names()  # not echoed to the typist
    # a second typing event within the interval is swallowed
    ack = second.client.call("typing", {"room": room}, timeout=10)
    assert ack == {"ok": True, "throttled": True}
    second.close()
    first.wait_for("presence", where=lambda d: d == {"room": room, "count": 1})


def test_typing_needs_a_joined_room(listen, world, forums):
    outsider = listen(world.sued_member)
    ack = outsider.client.call(
        "typing", {"room": f"thread:{forums.nord_thread.id}"}, timeout=10
    )
    assert ack == {"ok": False, "error": "not_joined"}


def test_reconnect_catches_up_on_missed_posts(app, session, listen, world, forums):
    thread = forums.nord_thread
    reader = listen(world.member)
    assert reader.join(f"thread:{thread.id}") == {"ok": True}
    last_seen = thread.last_post_id
    reader.close()  # the link drops
    with app.app_context():
        missed = [
            make_post(session, thread, world.board, f"Verpasst {i}") for i in (1, 2)
        ]
    again = listen(world.member)
    ack = again.join(f"thread:{thread.id}", after=last_seen)
    assert ack["ok"] is True and ack["more"] is False
    assert [p["id"] for p in ack["posts"]] == [p.id for p in missed]
    assert "Verpasst 2" in ack["posts"][1]["html"]


def test_reconnect_brings_the_shown_posts_up_to_date(
    app, session, listen, world, forums
):
    """Posts the client already shows that were edited, hidden or deleted while
    its link was down come back as they read now; nothing else is sent for them,
    and ids of other threads or beyond `after` are ignored."""
    from discussions.moderation import hide_post
    from discussions.post_actions import edit_post

    thread = forums.nord_thread
    first_id = thread.last_post_id  # the opening post
    with app.app_context():
        second = make_post(session, thread, world.member, "Zweiter Beitrag")
        third = make_post(session, thread, world.member, "Dritter Beitrag")
    reader = listen(world.board)
    assert reader.join(f"thread:{thread.id}") == {"ok": True}
    reader.close()  # the link drops; meanwhile:
    with app.test_request_context():
        edit_post(session, session.merge(world.member), second.id, "Neu gefasst")
        hide_post(session, session.merge(world.organiser), third.id, "Zu laut")
    again = listen(world.board)
    ack = again.join(
        f"thread:{thread.id}",
        after=third.id,
        shown=[first_id, second.id, third.id, forums.sued_thread.last_post_id, 10**12],
    )
    assert ack["ok"] is True and ack["posts"] == []
    current = {p["id"]: p for p in ack["current"]}
    assert sorted(current) == [first_id, second.id, third.id]
    assert "Neu gefasst" in current[second.id]["html"] and current[second.id]["edited"]
    assert current[third.id]["state"] == "hidden"
    assert "Dritter" not in current[third.id]["html"]
    assert current[first_id]["state"] == "visible"


def test_join_into_another_branch_is_refused(listen, world, forums):
    outsider = listen(world.sued_member)
    assert outsider.join(f"thread:{forums.nord_thread.id}") == {
        "ok": False,
        "error": "not_found",
    }
    assert outsider.join(f"forum:{forums.nord.id}") == {
        "ok": False,
        "error": "not_found",
    }
    # the Bund forum is for everyone
    assert outsider.join(f"forum:{forums.bund.id}") == {"ok": True}


def test_new_thread_event_on_the_forum_page(app, session, listen, world, forums):
    from tests.factories import make_thread

    reader = listen(world.member)
    assert reader.join(f"forum:{forums.nord.id}") == {"ok": True}
    with app.app_context():
        thread = make_thread(session, forums.nord, world.board, "Neu hier", "Text")
    event = reader.wait_for("thread_created")
    assert event["forum_id"] == forums.nord.id
    assert event["thread"]["id"] == thread.id
    assert event["thread"]["title"] == "Neu hier"


def test_removed_role_ends_access_to_the_room_at_once(
    app, session, listen, world, forums, live_server
):
    """An Unterbezirk organiser reads OV Süd's thread; when the role is revoked the
    socket is told and dropped, and joining again is refused."""
    from models import Role, RoleName

    role = Role(member=world.member, organisation=world.ub, role=RoleName.ORGANISER)
    session.add(role)
    session.commit()
    reader = listen(world.member)
    room = f"thread:{forums.sued_thread.id}"
    assert reader.join(room) == {"ok": True}
    with app.test_request_context():
        from ortsverein.members.services import revoke_role

        board = session.merge(world.admin)
        revoke_role(session, board, world.member.id, role.id)
    reader.wait_for("access_changed")
    deadline = time.monotonic() + 10
    while reader.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not reader.client.connected
    again = listen(world.member)
    assert again.join(room) == {"ok": False, "error": "not_found"}
    # nothing said in the thread reaches the old socket any more
    with app.app_context():
        make_post(session, forums.sued_thread, world.sued_member, "Nur für Süd")
    assert "post_created" not in reader.names()


def test_a_thread_moved_out_of_sight_drops_its_readers(
    app, session, listen, world, forums, live_server
):
    """A party-wide thread moved into OV Nord's forum: a reader from OV Süd is told
    and dropped at once (and cannot join again); a reader from OV Nord stays and
    goes on receiving the debate."""
    from discussions.moderation import move_thread
    from tests.factories import make_thread

    with app.app_context():
        thread = make_thread(session, forums.bund, world.admin, "Für alle", "Text")
    room = f"thread:{thread.id}"
    sued = listen(world.sued_member)
    nord = listen(world.member)
    assert sued.join(room) == {"ok": True} and nord.join(room) == {"ok": True}
    with app.test_request_context():
        move_thread(session, session.merge(world.admin), thread.id, forums.nord.id)
    sued.wait_for("access_changed")
    deadline = time.monotonic() + 10
    while sued.client.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not sued.client.connected
    assert listen(world.sued_member).join(room) == {"ok": False, "error": "not_found"}
    with app.app_context():
        make_post(session, thread, world.member, "Jetzt nur für Nord")
    assert "Jetzt nur für Nord" in nord.wait_for("post_created")["post"]["html"]
    assert nord.client.connected and "access_changed" not in nord.names()


def test_a_live_notification_says_it_in_the_members_language(
    app, session, listen, world, forums
):
    """The pushed notification carries the sentence the list shows, in the
    language of the member it is for (not the thread's bare title)."""
    world.member.last_name = "Mitglied"
    world.member.locale = "en"
    session.commit()
    reader = listen(world.member)
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "@Mina.Mitglied, und?")
    note = reader.wait_for("notification")
    assert note["kind"] == "mention" and note["url"].startswith("/forums/posts/")
    assert note["text"] == "You were mentioned in “Lastenrad”."
