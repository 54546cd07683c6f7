"""The meeting page links to the meeting's motions, through the link motions
registers with meetings.services (meetings never imports motions): members see it
once the agenda lists motions, the chair and organisers also to plan them; a
meeting without motions shows no link."""

from __future__ import annotations

from motions import services
from tests.factories import make_meeting

from .conftest import act, submit

LINK = "/motions/meetings/{id}"


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _as(auth, client, member):
    client.get("/")
    auth.logout()
    auth.login(member)


def test_meeting_page_links_to_its_motions(app, session, world, auth, client, book):
    meeting = make_meeting(session, world.nord, world.organiser)
    other = make_meeting(session, world.nord, world.organiser, title="Vorstand")
    link = f'href="{LINK.format(id=meeting.id)}"'
    _as(auth, client, world.member)
    assert link not in _page(client.get(f"/meetings/{meeting.id}"))
    with app.app_context():
        motion = submit(session, book, world.member)
        act(session, services.change_status, world.organiser, motion, "admitted")
    # Nothing listed yet: members see no link, the organisers one to plan.
    assert link not in _page(client.get(f"/meetings/{meeting.id}"))
    _as(auth, client, world.organiser)
    page = _page(client.get(f"/meetings/{meeting.id}"))
    assert f"{link}>Anträge auf die Tagesordnung setzen</a>" in page
    item = meeting.items[1]
    listed = auth.post(
        LINK.format(id=meeting.id),
        {"item": item.id, "motion": motion.id},
        follow_redirects=True,
    )
    assert "Der Antrag steht auf der Tagesordnung." in _page(listed)
    _as(auth, client, world.member)
    page = _page(client.get(f"/meetings/{meeting.id}"))
    assert f"{link}>Anträge auf der Tagesordnung (1)</a>" in page
    # The link leads to the meeting's motions page, which lists the motion.
    motions_page = _page(client.get(LINK.format(id=meeting.id)))
    assert f"{motion.number}: {motion.title}" in motions_page
    # Another meeting of the branch lists none: members see no link there.
    assert f'href="{LINK.format(id=other.id)}"' not in _page(
        client.get(f"/meetings/{other.id}")
    )
    # In English too.
    auth.post("/profile/language", {"lang": "en", "next": "/"})
    page = _page(client.get(f"/meetings/{meeting.id}"))
    assert f"{link}>Motions on the agenda (1)</a>" in page
