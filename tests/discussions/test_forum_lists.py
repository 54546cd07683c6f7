"""The forum index and a forum's list of threads as members see them, with the page
shared between members and each row of the list remembered (discussions/forum_page.py,
ortsverein/shared_pages.py): every member still sees their own unread counts and
menu, and a change shows on the next page load."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import Auth
from tests.factories import make_forum, make_member, make_post, make_thread


def _row(page: str, title: str) -> str:
    """The <tr> of the thread with that title."""
    for row in re.findall(r"<tr class=\"thread-row.*?</tr>", page, re.S):
        if f">{title}</a>" in row:
            return row
    raise AssertionError(f"no row for {title!r}")


def _card(page: str, name: str) -> str:
    for card in re.findall(r"<li class=\"card.*?</li>", page, re.S):
        if f">{name}</a>" in card:
            return card
    raise AssertionError(f"no card for {name!r}")


def test_each_member_sees_their_own_unread_counts(app, session, world, forums):
    with app.app_context():
        other = make_member(session, world.nord, first_name="Zweite")
        make_post(session, forums.nord_thread, world.organiser, "Zweiter Beitrag")
    reader, unread = app.test_client(), app.test_client()
    Auth(reader).login(world.member)
    Auth(unread).login(other)
    reader.get(f"/forums/threads/{forums.nord_thread.id}")  # reads both posts
    url = f"/forums/{forums.nord.id}"
    for _ in range(2):  # and again, when both pages and rows are remembered
        mine = _row(reader.get(url).get_data(as_text=True), "Lastenrad")
        theirs = _row(unread.get(url).get_data(as_text=True), "Lastenrad")
        assert "neu" not in mine and "thread-row--unread" not in mine
        assert "2 neu" in theirs and "thread-row--unread" in theirs
        assert f"/forums/threads/{forums.nord_thread.id}/unread" in theirs


def test_the_subscription_button_and_menu_are_each_members(
    app, auth, client, session, world, forums
):
    """The page around the rows is shared: one member's follow button and the
    organiser's edit button are not shown to another."""
    other: FlaskClient = app.test_client()
    Auth(other).login(world.organiser)
    auth.login(world.member)
    url = f"/forums/{forums.nord.id}"
    auth.post(f"/forums/{forums.nord.id}/subscription", {"subscribe": "1"})
    for _ in range(2):
        mine = client.get(url).get_data(as_text=True)
        theirs = other.get(url).get_data(as_text=True)
        assert "Forum nicht mehr folgen" in mine and "Forum bearbeiten" not in mine
        assert "Forum folgen<" in theirs and "Forum bearbeiten" in theirs
    # the follow form still works from the shared page: its token is this session's
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', mine)
    assert token
    response = client.post(
        f"/forums/{forums.nord.id}/subscription",
        data={"csrf_token": token.group(1), "subscribe": "0"},
    )
    assert response.status_code == 302
    assert "Forum folgen<" in client.get(url).get_data(as_text=True)


def test_changes_to_a_thread_show_at_once(app, auth, client, session, world, forums):
    auth.login(world.organiser)
    url = f"/forums/{forums.nord.id}"
    tid = forums.nord_thread.id
    row = _row(client.get(url).get_data(as_text=True), "Lastenrad")
    assert '<td class="num" data-label="Antworten">0</td>' in row
    assert "angeheftet" not in row and "geschlossen" not in row
    with app.app_context():
        make_post(session, forums.nord_thread, world.member, "Eine Antwort")
    row = _row(client.get(url).get_data(as_text=True), "Lastenrad")
    assert '<td class="num" data-label="Antworten">1</td>' in row
    assert auth.post(f"/forums/threads/{tid}/moderate/pin").status_code == 302
    assert auth.post(f"/forums/threads/{tid}/moderate/lock").status_code == 302
    response = auth.post(f"/forums/threads/{tid}/rename", {"title": "Lastenräder"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    row = _row(page, "Lastenräder")
    assert "angeheftet" in row and "geschlossen" in row
    assert ">Lastenrad</a>" not in page


def test_a_row_in_english_is_english(app, auth, client, world, forums):
    auth.login(world.member)
    url = f"/forums/{forums.nord.id}"
    german = _row(client.get(url).get_data(as_text=True), "Lastenrad")
    assert 'data-label="Antworten"' in german and "1 neu" in german
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    if "Antworten" in page:  # the member's own language setting wins
        auth.post("/language", {"lang": "en", "next": url})
        page = client.get(url).get_data(as_text=True)
    english = _row(page, "Lastenrad")
    # the column counts replies: not the "Reply" of a post's button
    assert '<th scope="col" class="num">Replies</th>' in page
    assert 'data-label="Replies"' in english and "1 new" in english


def test_the_index_counts_change_at_once(app, auth, client, session, world, forums):
    auth.login(world.member)
    card = _card(client.get("/forums/").get_data(as_text=True), "Nord-Forum")
    assert "1 Thema" in card and "1 Beitrag" in card and "OV Nord" in card
    with app.app_context():
        thread = make_thread(session, forums.nord, world.member, "Radweg", "Start")
        make_post(session, thread, world.organiser, "Antwort")
    card = _card(client.get("/forums/").get_data(as_text=True), "Nord-Forum")
    assert "2 Themen" in card and "3 Beiträge" in card
    # a forum of another branch is on no member's index but its own branch's
    assert "Süd-Forum" not in client.get("/forums/").get_data(as_text=True)


def test_the_page_numbers_follow_new_and_moved_threads(
    app, auth, client, session, world, forums
):
    """A forum page counts its threads by the forum's own counter: a new thread and
    a moved one change it at once, in both forums of a move."""
    from discussions.moderation import move_thread
    from discussions.services import THREADS_PER_PAGE

    with app.app_context():
        other = make_forum(session, world.nord, world.organiser, "Nord-Archiv")
        threads = [
            make_thread(session, forums.nord, world.member, f"Thema {n}", "Text")
            for n in range(THREADS_PER_PAGE)  # with "Lastenrad", one more than a page
        ]
    auth.login(world.member)
    url = f"/forums/{forums.nord.id}"
    first = client.get(url).get_data(as_text=True)
    assert "Seite 1 von 2" in first and 'rel="next"' in first
    assert client.get(f"{url}?page=2").status_code == 200
    with app.app_context():
        move_thread(session, world.organiser, threads[0].id, other.id)
    first = client.get(url).get_data(as_text=True)
    assert 'rel="next"' not in first and "Seite" not in first.split("<main")[-1]
    assert client.get(f"{url}?page=2").status_code == 404
    moved_to = client.get(f"/forums/{other.id}").get_data(as_text=True)
    assert _row(moved_to, "Thema 0")
    card = _card(client.get("/forums/").get_data(as_text=True), "Nord-Archiv")
    assert "1 Thema" in card
