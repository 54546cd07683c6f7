"""A thread page is rendered once for members who see the same page
(ortsverein.shared_pages): each member still sees their own parts of it."""

from __future__ import annotations

import re

from ortsverein import caches
from ortsverein.shared_pages import PAGES
from tests.conftest import Auth
from tests.factories import fresh, make_member

TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
UNREAD_RE = re.compile(
    r"data-unread-notifications\s*(hidden)?><span data-count>(\d+)</span>"
)


def _one_page() -> int:
    """One rendering kept, or none where the caches are off (tests/conftest.py)."""
    return 1 if caches.enabled() else 0


def _second_reader(app, session, world):
    with app.app_context():
        zora = make_member(
            session, world.nord, email="zora@example.org", first_name="Zora"
        )
        session.commit()
    client = app.test_client()
    auth = Auth(client)
    auth.login(zora)
    return client, auth


def test_two_members_share_the_page_but_not_their_parts(
    app, auth, client, session, world, forums
):
    url = f"/forums/threads/{forums.nord_thread.id}"
    auth.login(world.member)
    other, _other_auth = _second_reader(app, session, world)
    PAGES.clear(app=app)

    # Same relation to the thread: Zora gets the page rendered for Mina ...
    mina = client.get(url).get_data(as_text=True)
    zora = other.get(url).get_data(as_text=True)
    assert PAGES.size(app=app) == _one_page()
    assert "Thema folgen" in mina and "Thema folgen" in zora
    # ... with her own form token.
    tokens = set(TOKEN_RE.findall(zora))
    assert len(tokens) == 1 and tokens != set(TOKEN_RE.findall(mina))

    # Mina follows the thread now: her page says so, once with the message.
    assert (
        client.post(
            f"{url}/subscription",
            data={"csrf_token": TOKEN_RE.search(mina).group(1), "subscribe": "1"},
        ).status_code
        == 302
    )
    mina = client.get(url).get_data(as_text=True)
    assert "Nicht mehr folgen" in mina and "Du bekommst Bescheid" in mina
    again = client.get(url).get_data(as_text=True)
    assert "Nicht mehr folgen" in again and "Du bekommst Bescheid" not in again
    zora = other.get(url).get_data(as_text=True)
    assert "Thema folgen" in zora and "Nicht mehr folgen" not in zora

    # Zora's token from the shared page works: she replies, Mina is notified.
    reply = other.post(url, data={"csrf_token": tokens.pop(), "body": "Gern!"})
    assert reply.status_code == 302
    mina = client.get(url).get_data(as_text=True)
    zora = other.get(url).get_data(as_text=True)
    assert "Gern!" in mina and "Gern!" in zora
    assert UNREAD_RE.search(mina).groups() == (None, "1")
    assert UNREAD_RE.search(zora).groups() == ("hidden", "0")


def test_a_query_string_makes_no_page_of_its_own(auth, client, app, world, forums):
    url = f"/forums/threads/{forums.nord_thread.id}"
    auth.login(world.member)
    PAGES.clear(app=app)
    for junk in range(5):
        page = client.get(f"{url}?x={junk}").get_data(as_text=True)
        # the language form still sends the member back to this very address
        assert 'name="next" type="hidden" value="/forums/threads/' in page
        assert f"?x={junk}" in page
    assert PAGES.size(app=app) == _one_page()


def test_a_changed_thread_shows_at_once(app, auth, client, session, world, forums):
    url = f"/forums/threads/{forums.nord_thread.id}"
    auth.login(world.member)
    assert "geschlossen" not in client.get(url).get_data(as_text=True)
    organiser = Auth(app.test_client())
    organiser.login(world.organiser)
    locked = organiser.post(f"/forums/threads/{forums.nord_thread.id}/moderate/lock")
    assert locked.status_code == 302
    renamed = organiser.post(
        f"/forums/threads/{forums.nord_thread.id}/rename", {"title": "Lastenrad 2.0"}
    )
    assert renamed.status_code == 302
    fresh(session)
    page = client.get(url).get_data(as_text=True)
    assert re.search(
        r'<span class="badge[^"]*">(<svg[^>]*>.*?</svg>)?geschlossen<', page
    )
    assert '<h1 class="break">Lastenrad 2.0</h1>' in page
    assert 'id="reply-heading"' not in page  # members cannot reply any more
