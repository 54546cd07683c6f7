"""The agenda in the meeting room (issue 22): a chair's links and buttons stand
apart from the item's title, never running into it ("Verschiedenesbearbeiten")."""

from __future__ import annotations

import re

from meetings import services
from tests.factories import make_meeting, meeting_action


def _text(html: str) -> str:
    """What a reader's eye meets: tags gone, hidden text gone, blanks squeezed."""
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_chairs_agenda_actions_stand_apart(auth, client, session, world):
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    auth.login(world.organiser)
    page = client.get(f"/meetings/{meeting.id}").text
    agenda = page[
        page.index('<ol class="agenda">') : page.index(
            "</ol>", page.index('<ol class="agenda">')
        )
    ]
    items = agenda.split('<li class="agenda__item')[1:]
    assert len(items) == 3
    for item in items:
        title = re.search(r'<span class="agenda__title">([^<]+)</span>', item).group(1)
        actions = item[item.index('<span class="agenda__actions">') :]
        # the title is its own element; each action is a button with an icon
        assert title not in _text(actions)
        assert re.search(r'<a class="button[^"]*"[^>]*>.*?bearbeiten', actions, re.S)
    # the actions sit in their own block (app.css: .agenda__actions is a flex row)
    last = items[-1]
    assert re.search(
        r'<span class="agenda__title">Verschiedenes</span>\s*'
        r'<span class="agenda__actions">',
        last,
    )
    css = client.get("/static/css/app.css").text
    assert re.search(r"\.agenda__actions \{ display: flex;", css)
    # one item is current; the others can be called up with a button
    assert sum('aria-current="step"' in item for item in items) == 1
    assert sum(">aufrufen<" in item for item in items) == 2


def test_members_see_titles_without_chair_actions(auth, client, session, world):
    meeting = make_meeting(session, world.nord, world.organiser)
    auth.login(world.member)
    page = client.get(f"/meetings/{meeting.id}").text
    assert '<span class="agenda__title">Verschiedenes</span>' in page
    assert "agenda__actions" not in page and "bearbeiten" not in page
