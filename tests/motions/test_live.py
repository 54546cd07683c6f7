"""Motion events over a real Socket.IO connection (python-socketio against the
live server): a new motion and each status change reach the members of the
book's organisation; a member of another branch hears neither."""

from __future__ import annotations

import pytest
import requests

from motions import services
from tests.realtime.test_forum_live import Listener, token_for

from .conftest import act, submit


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


def test_motion_created_and_status_changed_reach_the_organisation(
    app,
    session,
    world,
    live_server,
    listen,
    book,
):
    nord = listen(world.board)
    sued = listen(world.sued_member)
    response = requests.post(
        f"{live_server.url}/api/v1/motion-books/{book.id}/motions",
        json={"title": "Mehr Bänke", "text": "Der Ortsverein fordert Bänke."},
        headers={"Authorization": f"Bearer {token_for(live_server.url, world.member)}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    motion_id = response.json()["id"]
    created = nord.wait_for("motion_created")
    assert created == {
        "motion_id": motion_id,
        "book_id": book.id,
        "number": "A1",
        "title": "Mehr Bänke",
        "status": "submitted",
        "recommendation": None,
    }
    with app.app_context():
        motion = services.get_motion(session, world.organiser, motion_id)
        act(session, services.change_status, world.organiser, motion, "admitted")
        act(
            session,
            services.change_status,
            world.organiser,
            motion,
            "recommended",
            recommendation="accept",
        )
    first = nord.wait_for("status_changed")
    assert (first["previous"], first["status"]) == ("submitted", "admitted")
    second = nord.wait_for("status_changed")
    assert (second["previous"], second["status"], second["recommendation"]) == (
        "admitted",
        "recommended",
        "accept",
    )
    assert not {"motion_created", "status_changed"} & set(sued.names())


def test_amendment_created_reaches_the_organisation(
    app, session, world, live_server, listen, book
):
    with app.app_context():
        motion = submit(session, book, world.member)
    nord = listen(world.board)
    sued = listen(world.sued_member)
    response = requests.post(
        f"{live_server.url}/api/v1/motions/{motion.id}/amendments",
        json={"first_line": 1, "last_line": 1, "text": "Der Ortsverein will Busse."},
        headers={"Authorization": f"Bearer {token_for(live_server.url, world.board)}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    created = nord.wait_for("amendment_created")
    assert created == {
        "amendment_id": response.json()["id"],
        "motion_id": motion.id,
        "book_id": book.id,
        "number": "A1",
        "label": "Ä1",
        "first_line": 1,
        "last_line": 1,
        "status": "submitted",
    }
    assert "amendment_created" not in set(sued.names())
    # The submitter withdraws it: the organisation hears that too.
    response = requests.post(
        f"{live_server.url}/api/v1/motions/{motion.id}/amendments/"
        f"{created['amendment_id']}/withdraw",
        headers={"Authorization": f"Bearer {token_for(live_server.url, world.board)}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    withdrawn = nord.wait_for("amendment_withdrawn")
    assert withdrawn == {**created, "status": "withdrawn"}
    assert "amendment_withdrawn" not in set(sued.names())
