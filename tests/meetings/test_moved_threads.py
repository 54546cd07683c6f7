"""An agenda item's thread moved into another branch's forum: the meeting's
attendees who may not read that forum get no posts of it with the room's state,
neither over the API nor in the socket's join acknowledgement."""

from __future__ import annotations

from discussions import moderation
from discussions import services as forum_services
from meetings import agenda, services
from tests.factories import make_meeting, meeting_action
from tests.meetings.test_api import Api


def test_posts_of_a_thread_moved_out_of_sight_are_not_in_the_room_state(
    client, auth, session, world, forums, socket_client
):
    meeting = make_meeting(
        session, world.nord, world.organiser, forum_id=forums.nord.id
    )
    meeting_action(session, services.start, world.organiser, meeting)
    meeting_action(session, agenda.next_item, world.organiser, meeting)
    member = Api(client, world.member)
    url = f"/meetings/{meeting.id}"
    thread_id = member("GET", url)["item"]["thread_id"]
    meeting_action(
        session, forum_services.create_post, world.organiser, thread_id, "Geheimplan"
    )
    before = member("GET", url)
    assert "<p>Geheimplan</p>\n" in [p["html"] for p in before["posts"]]

    meeting_action(
        session, moderation.move_thread, world.admin, thread_id, forums.sued.id
    )
    after = member("GET", url)
    assert after["item"]["thread_id"] == thread_id and after["posts"] == []

    auth.login(world.member)
    sock = socket_client()
    ack = sock.emit("join", {"room": f"meeting:{meeting.id}"}, callback=True)
    assert ack["ok"] and ack["state"]["posts"] == []
