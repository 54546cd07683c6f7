"""The posts a live thread page fetches (static/js/forum.js): the same articles as the
page's own, for this member, and nothing of a thread they cannot read."""

from __future__ import annotations

import re

from tests.factories import make_post


def _article(html: str, post_id: int) -> str:
    """The post's article, its CSRF tokens left out: a token carries the second it
    was signed in, so two requests a second apart differ there and nowhere else."""
    article = re.search(
        rf'<article [^>]*id="post-{post_id}".*?</article>', html, re.S
    ).group(0)
    return re.sub(r'(name="csrf_token" type="hidden" value=")[^"]+"', r'\1"', article)


def test_a_fetched_post_is_the_article_of_the_page(
    app, auth, client, session, world, forums
):
    with app.app_context():
        thread = session.merge(forums.nord_thread)
        post = make_post(session, thread, world.member, "Ich bin **dabei**")
        other = make_post(session, thread, world.board, "Ich auch")
    url = f"/forums/threads/{forums.nord_thread.id}"
    for member in (world.member, world.organiser):  # author; moderator
        auth.login(member)
        page = client.get(url).text
        response = client.get(f"{url}/posts?ids={post.id},{other.id}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        fetched = response.text
        assert "<html" not in fetched and fetched.count("<article") == 2
        for post_id in (post.id, other.id):
            assert _article(fetched, post_id) == _article(page, post_id)
        assert fetched.index(f"post-{post.id}") < fetched.index(f"post-{other.id}")
        auth.logout()
    mine = _article(fetched, post.id)  # as the organiser sees it: may hide it
    assert "/hide" in mine and "Bearbeiten" not in mine
    assert 'name="csrf_token" type="hidden" value=""' in mine  # left out, as meant


def test_posts_of_other_threads_and_unreadable_threads_stay_out(
    auth, client, world, forums
):
    auth.login(world.member)
    nord = f"/forums/threads/{forums.nord_thread.id}/posts"
    sued_post = forums.sued_thread.last_post_id
    # a post of a thread the member cannot read, asked through a readable thread
    fetched = client.get(f"{nord}?ids={sued_post}")
    assert fetched.status_code == 200 and "<article" not in fetched.text
    # the unreadable thread itself answers as if it did not exist
    sued = f"/forums/threads/{forums.sued_thread.id}/posts?ids={sued_post}"
    assert client.get(sued).status_code == 404


def test_bad_ids_are_refused(auth, client, world, forums):
    auth.login(world.member)
    url = f"/forums/threads/{forums.nord_thread.id}/posts"
    for query in ("", "?ids=", "?ids=abc", "?ids=1,-2", "?ids=99999999999"):
        response = client.get(url + query)
        assert response.status_code == 400, query
        assert "<h1" in response.text  # the error page, not a traceback
    too_many = ",".join(str(i) for i in range(1, 302))
    assert client.get(f"{url}?ids={too_many}").status_code == 400


def test_fetched_posts_count_as_read(app, auth, client, session, world, forums):
    """A post the page showed live is not "new since your last visit" on reload."""
    url = f"/forums/threads/{forums.nord_thread.id}"
    auth.login(world.member)
    client.get(url)
    with app.app_context():
        post = make_post(session, session.merge(forums.nord_thread), world.board)
    assert 'id="unread"' in client.get(url).text  # not fetched: new on reload
    with app.app_context():
        later = make_post(session, session.merge(forums.nord_thread), world.board)
    client.get(f"{url}/posts?ids={later.id}")
    assert 'id="unread"' not in client.get(url).text, post.id
