"""Forum pages through the Flask test client: reading, writing, editing, quoting,
agreeing, unread markers and subscriptions, as a member notices them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import Notification, Post, PostRevision, Thread
from tests.conftest import CSRF_RE
from tests.factories import fresh, make_post


def test_member_reads_forums_and_thread(auth, client, world, forums):
    auth.login(world.member)
    page = client.get("/forums/").get_data(as_text=True)
    assert "Nord-Forum" in page and "Programmdebatte" in page
    assert "Süd-Forum" not in page
    page = client.get(f"/forums/{forums.nord.id}").get_data(as_text=True)
    assert "Lastenrad" in page
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Brauchen wir ein Lastenrad?" in page


def test_reply_appears_and_keeps_text_on_error(auth, client, session, world, forums):
    auth.login(world.member)
    url = f"/forums/threads/{forums.nord_thread.id}"
    response = auth.post(url, {"body": "  "})
    assert response.status_code == 200
    assert "Bitte" in response.get_data(as_text=True)
    response = auth.post(url, {"body": "Ja, **unbedingt**!"})
    assert response.status_code == 302
    assert re.search(r"#post-\d+$", response.headers["Location"])
    page = client.get(url).get_data(as_text=True)
    assert "<strong>unbedingt</strong>" in page
    fresh(session)
    thread = session.get(Thread, forums.nord_thread.id)
    assert thread.post_count == 2


def test_too_long_reply_is_refused_with_its_text_kept(auth, client, world, forums):
    auth.login(world.member)
    text = "x" * 50_001
    response = auth.post(f"/forums/threads/{forums.nord_thread.id}", {"body": text})
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def test_other_branch_thread_is_404_everywhere(auth, client, world, forums):
    auth.login(world.member)
    tid, fid = forums.sued_thread.id, forums.sued.id
    assert client.get(f"/forums/{fid}").status_code == 404
    assert client.get(f"/forums/threads/{tid}").status_code == 404
    assert auth.post(f"/forums/threads/{tid}", {"body": "hallo"}).status_code == 404
    assert (
        auth.post(f"/forums/{fid}/threads/new", {"title": "x", "body": "y"}).status_code
        == 404
    )
    post_id = forums.sued_thread.last_post_id
    assert client.get(f"/forums/posts/{post_id}").status_code == 404
    assert auth.post(f"/forums/posts/{post_id}/agree").status_code == 404


def test_new_thread_and_pagination_with_stable_post_urls(
    app, auth, client, session, world, forums
):
    auth.login(world.member)
    response = auth.post(
        f"/forums/{forums.nord.id}/threads/new", {"title": "Neu", "body": "Start"}
    )
    assert response.status_code == 302
    thread_id = int(response.headers["Location"].rsplit("/", 1)[1])
    fresh(session)
    with app.app_context():
        thread = session.get(Thread, thread_id)
        posts = [
            make_post(session, thread, world.organiser, f"Nr {i}") for i in range(2, 26)
        ]
    # post 21 stands on page 2, and its address leads there
    response = client.get(f"/forums/posts/{posts[19].id}")
    assert response.headers["Location"].endswith(
        f"/forums/threads/{thread_id}?page=2#post-{posts[19].id}"
    )
    page2 = client.get(f"/forums/threads/{thread_id}?page=2").get_data(as_text=True)
    assert "Nr 21" in page2 and "Nr 20" not in page2
    assert client.get(f"/forums/threads/{thread_id}?page=9").status_code == 404


def test_unread_marker_and_jump(app, auth, client, session, world, forums):
    auth.login(world.member)
    tid = forums.nord_thread.id
    client.get(f"/forums/threads/{tid}")  # read post 1
    with app.app_context():
        second = make_post(session, forums.nord_thread, world.organiser, "Neuigkeit")
    forum_page = client.get(f"/forums/{forums.nord.id}").get_data(as_text=True)
    assert "1 neu" in forum_page
    response = client.get(f"/forums/threads/{tid}/unread")
    assert response.headers["Location"].endswith(f"#post-{second.id}")
    page = client.get(f"/forums/threads/{tid}").get_data(as_text=True)
    assert 'id="unread"' in page
    forum_page = client.get(f"/forums/{forums.nord.id}").get_data(as_text=True)
    assert "1 neu" not in forum_page


def test_a_forum_page_past_the_last_is_not_found(auth, client, world, forums):
    auth.login(world.member)
    assert client.get(f"/forums/{forums.nord.id}?page=1").status_code == 200
    assert client.get(f"/forums/{forums.nord.id}?page=2").status_code == 404


def test_quote_prefills_reply(auth, client, world, forums):
    auth.login(world.member)
    tid = forums.nord_thread.id
    post_id = forums.nord_thread.last_post_id
    page = client.get(f"/forums/threads/{tid}?quote={post_id}").get_data(as_text=True)
    assert "&gt; Brauchen wir ein Lastenrad?" in page


@pytest.mark.parametrize("quote", ["99999999999999999999", "-1", "abc", "²", "OTHER"])
def test_an_unusable_quote_opens_the_thread_with_an_empty_reply(
    auth, client, world, forums, quote
):
    """A quote link to nothing this thread shows (too large for the database, not
    a number, another thread's post) still opens the thread, with an empty box."""
    auth.login(world.member)
    if quote == "OTHER":  # a post of a thread in another forum the member sees
        quote = str(forums.sued_thread.last_post_id)
    tid = forums.nord_thread.id
    response = client.get(f"/forums/threads/{tid}?quote={quote}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Brauchen wir ein Lastenrad?" in page and "&gt; " not in page
    assert "Geheimer Grillplan" not in page


def test_edit_keeps_revision_for_moderators_only(auth, client, session, world, forums):
    auth.login(world.organiser)
    post_id = forums.nord_thread.last_post_id
    response = auth.post(f"/forums/posts/{post_id}/edit", {"body": "Neue Fassung"})
    assert response.status_code == 302
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Neue Fassung" in page and "bearbeitet" in page
    revisions = client.get(f"/forums/posts/{post_id}/revisions").get_data(as_text=True)
    assert "Brauchen wir ein Lastenrad?" in revisions
    fresh(session)
    assert session.scalars(select(PostRevision.body)).all() == [
        "Brauchen wir ein Lastenrad?"
    ]
    auth.logout()
    auth.login(world.member)
    assert client.get(f"/forums/posts/{post_id}/revisions").status_code == 404
    assert client.get(f"/forums/posts/{post_id}/edit").status_code == 404


def test_author_deletes_softly(app, auth, client, session, world, forums):
    with app.app_context():
        post = make_post(session, forums.nord_thread, world.member, "Ups, falsch")
    auth.login(world.member)
    assert auth.post(f"/forums/posts/{post.id}/delete").status_code == 302
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").get_data(as_text=True)
    assert "Vom Autor gelöscht." in page and "Ups, falsch" not in page


def test_agreement_toggles_once_per_member(auth, client, session, world, forums):
    auth.login(world.member)
    post_id = forums.nord_thread.last_post_id
    auth.post(f"/forums/posts/{post_id}/agree")
    fresh(session)
    assert session.get(Post, post_id).agree_count == 1
    auth.post(f"/forums/posts/{post_id}/agree")
    fresh(session)
    assert session.get(Post, post_id).agree_count == 0


def test_authors_cannot_agree_with_themselves(auth, client, session, world, forums):
    """The author sees the count, not the button; the server refuses it too."""
    auth.login(world.organiser)  # wrote the thread's post
    post_id = forums.nord_thread.last_post_id
    page = client.get(f"/forums/threads/{forums.nord_thread.id}")
    article = _article(page.get_data(as_text=True), post_id)
    assert re.search(
        r"<span>Zustimmungen</span> <span[^>]*data-agree-count>0</span>", article
    )
    assert "/agree" not in article
    refused = auth.post(f"/forums/posts/{post_id}/agree", follow_redirects=True)
    assert "Eigenen Beiträgen kannst du nicht zustimmen." in refused.get_data(
        as_text=True
    )
    fresh(session)
    assert session.get(Post, post_id).agree_count == 0


def test_mention_and_reply_notify(app, auth, client, session, world, forums):
    """Mina is mentioned; the organiser (author, subscribed) gets a reply notice; the
    member of another branch, though mentioned, is not told about the thread."""
    world.sued_member.first_name, world.sued_member.last_name = "Sven", "Süd"
    world.member.last_name = "Mitglied"
    session.commit()
    auth.login(world.board)
    auth.post(
        f"/forums/threads/{forums.nord_thread.id}",
        {"body": "@Mina.Mitglied und @Sven.Süd, was meint ihr?"},
    )
    fresh(session)
    notes = session.execute(select(Notification.member_id, Notification.kind)).all()
    assert (world.member.id, "mention") in notes
    assert (world.organiser.id, "reply") in notes
    assert all(member_id != world.sued_member.id for member_id, _ in notes)
    assert all(member_id != world.board.id for member_id, _ in notes)


def test_an_edit_that_adds_a_mention_notifies_once(auth, session, world, forums):
    """Mentions added by editing notify like those of a new post; a name that was
    mentioned before, and a member whose first name has a space, are handled."""
    world.member.first_name, world.member.last_name = "Anna Lena", "Schmidt"
    session.commit()
    auth.login(world.organiser)
    post_id = forums.nord_thread.last_post_id
    auth.post(f"/forums/posts/{post_id}/edit", {"body": "Ohne Erwähnung"})
    auth.post(
        f"/forums/posts/{post_id}/edit", {"body": "Was meint @Anna-Lena.Schmidt?"}
    )
    auth.post(
        f"/forums/posts/{post_id}/edit",
        {"body": "Was meint @Anna-Lena.Schmidt? Nachtrag."},
    )
    fresh(session)
    notes = session.scalars(
        select(Notification.kind).where(Notification.member_id == world.member.id)
    ).all()
    assert notes == ["mention"]


def test_forum_subscription_tells_about_new_threads(
    auth, client, session, world, forums
):
    auth.login(world.member)
    auth.post(f"/forums/{forums.nord.id}/subscription", {"subscribe": "1"})
    auth.logout()
    auth.login(world.board)
    auth.post(
        f"/forums/{forums.nord.id}/threads/new", {"title": "Haushalt", "body": "Zahlen"}
    )
    fresh(session)
    kinds = session.scalars(
        select(Notification.kind).where(Notification.member_id == world.member.id)
    ).all()
    assert kinds == ["new_thread"]
    auth.logout()
    auth.login(world.member)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Neues Thema: „Haushalt“." in page
    # following it opens the thread and counts it as read; it is no one else's
    note_id = session.scalar(
        select(Notification.id).where(Notification.member_id == world.member.id)
    )
    assert f'href="/notifications/{note_id}"' in page and "notification--unread" in page
    followed = client.get(f"/notifications/{note_id}")
    assert followed.status_code == 302
    assert followed.headers["Location"].startswith("/forums/posts/")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "notification--unread" not in page
    auth.logout()
    auth.login(world.board)
    assert client.get(f"/notifications/{note_id}").status_code == 404


def test_mark_all_read_spares_what_arrived_after_the_page(
    app, auth, client, session, world, forums
):
    """'Alle als gelesen markieren' marks what the page showed; a notification
    that arrived after it was rendered stays unread."""
    world.member.last_name = "Mitglied"
    session.commit()
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "@Mina.Mitglied eins")
    auth.login(world.member)
    page = client.get("/notifications/").get_data(as_text=True)
    newest = re.search(r'name="upto" value="(\d+)"', page).group(1)
    with app.app_context():
        make_post(session, forums.nord_thread, world.board, "@Mina.Mitglied zwei")
    auth.post("/notifications/read", {"upto": newest})
    fresh(session)
    unread = session.scalars(
        select(Notification.id).where(
            Notification.member_id == world.member.id, Notification.read_at.is_(None)
        )
    ).all()
    assert len(unread) == 1 and unread[0] > int(newest)


def test_control_characters_do_not_reach_a_post(auth, client, session, world, forums):
    """They mean nothing in a post, and \x02/\x03 mark the search highlights."""
    auth.login(world.member)
    auth.post(
        f"/forums/threads/{forums.nord_thread.id}",
        {"body": "Ein\x02 Wort\x03\x07 hier"},
    )
    fresh(session)
    body = session.scalar(select(Post.body).order_by(Post.id.desc()).limit(1))
    assert body == "Ein Wort hier"


def _article(page: str, post_id: int) -> str:
    start = page.index(f'id="post-{post_id}"')
    return page[start : page.index("</article>", start)]


def test_remembered_post_html_follows_every_change_and_carries_the_pages_token(
    app, auth, client, session, world, forums
):
    """Posts are rendered once and remembered (discussions/post_html.py): the next
    view must still show an agreement, a new name, a hidden post and the language,
    and every form must carry the token of the session that sees the page."""
    tid, post_id = forums.nord_thread.id, forums.nord_thread.last_post_id
    url = f"/forums/threads/{tid}"
    auth.login(world.member)
    before = _article(client.get(url).get_data(as_text=True), post_id)
    assert 'aria-pressed="false"' in before and "<span>Zustimmung</span>" in before
    assert "Melden" in before and "Bearbeiten" not in before  # not the author
    # each action says which post it is for, to those who hear the controls listed
    assert (
        '<span>Melden</span><span class="visually-hidden"> zu Beitrag Nr. 1</span>'
        in before
    )
    auth.post(f"/forums/posts/{post_id}/agree")
    page = client.get(url).get_data(as_text=True)
    after = _article(page, post_id)
    assert 'aria-pressed="true"' in after and "data-agree-count>1</span>" in after
    token = CSRF_RE.search(page).group(1)  # the page's (the layout's first form)
    assert "data-csrf-slot" not in page
    # the agree button submits the page's one form, which carries the token
    assert 'form="posts-form" formaction="/forums/posts/' in after
    shared_form = re.search(r'<form id="posts-form"[^>]*>.*?</form>', page).group(0)
    assert f'name="csrf_token" type="hidden" value="{token}"' in shared_form
    # the author, renamed meanwhile, sees their own controls under the new name
    with app.app_context():
        from models import Member

        author = session.get(Member, world.organiser.id)
        author.first_name = "Umbenannte"
        session.commit()
    auth.logout()
    auth.login(world.organiser)
    own_page = client.get(url).get_data(as_text=True)
    own = _article(own_page, post_id)
    assert '<strong class="post__author">Umbenannte ' in own and "Bearbeiten" in own
    assert "aria-pressed" not in own and "Melden" not in own  # nothing to agree
    other_token = CSRF_RE.search(own_page).group(1)
    assert other_token != token and f'value="{other_token}"' in own
    assert f'value="{token}"' not in own
    auth.post(f"/forums/posts/{post_id}/hide", {"reason": "Zu laut"})
    auth.logout()
    auth.login(world.member)
    hidden = _article(client.get(url).get_data(as_text=True), post_id)
    assert "Von der Moderation ausgeblendet." in hidden
    assert "Brauchen wir ein Lastenrad?" not in hidden
    auth.post("/profile/language", {"lang": "en", "next": url})
    english = _article(client.get(url).get_data(as_text=True), post_id)
    assert "Hidden by the moderators." in english, english
