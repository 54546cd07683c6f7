"""The home page says what to do now: a running meeting to join first, then the
polls awaiting my vote with their closing time, then unread posts in threads I
follow; polls I voted in are shown as done, below."""

from __future__ import annotations

import re

from meetings import services as meeting_services
from tests.factories import (
    make_forum,
    make_meeting,
    make_poll,
    make_post,
    make_thread,
    meeting_action,
)


def _now_section(page: str) -> str:
    match = re.search(
        r'<section class="now" aria-labelledby="now-heading">(.*?)</section>',
        page,
        re.S,
    )
    assert match, page[:2000]
    return match.group(1)


def test_now_lists_meeting_then_polls_then_unread(world, session, auth, client):
    meeting = make_meeting(session, world.nord, world.organiser, title="Sitzung Jetzt")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    make_meeting(session, world.nord, world.organiser, title="Sitzung Später")
    waiting = make_poll(session, world.nord, world.organiser, closes_in=2 * 3600)
    voted = make_poll(session, world.nord, world.organiser, kind="single_choice")
    forum = make_forum(session, world.nord, world.organiser)
    thread = make_thread(session, forum, world.member, title="Mein Thema")
    make_post(session, thread, world.organiser, body="Eine Antwort")

    auth.login(world.member)
    # vote in one poll through the ordinary form
    done = auth.post(
        f"/polls/{voted.id}/vote", {"choice": voted.options[0].id, "confirm": "y"}
    )
    assert done.status_code == 200
    page = client.get("/").get_data(as_text=True)
    now = _now_section(page)

    # in this order: the running meeting with its join button, the waiting poll,
    # the followed thread with its unread posts
    join = now.index(f'href="/meetings/{meeting.id}"')
    assert "Sitzung betreten" in now[join : join + 400]
    vote = now.index(f'href="/polls/{waiting.id}/vote"')
    unread = now.index("Mein Thema")
    assert join < vote < unread
    text = re.sub(r"<[^>]+>", "", now)
    assert "Endet in 2 Stunden" in text
    assert "2 ungelesen" in text  # the member has not opened the thread yet
    assert "Zuletzt gerade eben" in text
    # the poll already voted in is not in "Jetzt dran", and shown as done below
    assert f"/polls/{voted.id}" not in now
    rest = page[page.index("</section>", page.index('class="now"')) :]
    assert f'href="/polls/{voted.id}"' in rest
    assert "Du hast abgestimmt" in rest
    # the planned meeting is listed below, not as something to do now
    assert "Sitzung Später" not in now and "Sitzung Später" in rest

    # reading the thread clears it from "Jetzt dran"
    client.get(f"/forums/threads/{thread.id}")
    assert "Mein Thema" not in _now_section(client.get("/").get_data(as_text=True))


def test_nothing_to_do_says_so_in_english(world, session, auth, client):
    auth.login(world.sued_member)
    auth.post("/profile/language", {"lang": "en", "next": "/"})
    make_poll(session, world.nord, world.organiser)  # not visible in OV Süd
    now = _now_section(client.get("/").get_data(as_text=True))
    assert "Your turn now" in now
    assert "Nothing is waiting for you" in now


def test_other_branch_meeting_is_not_offered(world, session, auth, client):
    meeting = make_meeting(session, world.nord, world.organiser, title="Nur Nord")
    meeting_action(session, meeting_services.start, world.organiser, meeting)
    auth.login(world.sued_member)
    page = client.get("/").get_data(as_text=True)
    assert "Nur Nord" not in page
    assert f"/meetings/{meeting.id}" not in page


def test_navigation_marks_the_current_section(world, session, auth, client):
    auth.login(world.board)

    def current(path):
        page = client.get(path).get_data(as_text=True)
        header = page[page.index("<header") : page.index("</header>")]
        return re.findall(r'<a href="([^"]+)" aria-current="page">', header)

    polls = current("/polls/")
    # in the wide navigation and in the menu, nothing else
    assert polls == ["/polls/", "/polls/"]
    assert current("/members/audit") == ["/members/audit"]
    assert current("/") == ["/"]
