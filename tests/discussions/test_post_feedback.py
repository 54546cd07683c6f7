"""What a member sees of a post's actions (issue 22): agreeing shows as pressed,
every action is a labelled button of touch size, times carry the exact instant for
the relative words, and the reply box's error marks the field it is about."""

from __future__ import annotations

import re

from tests.discussions.test_web import _article


def _agree_button(article: str) -> str:
    match = re.search(r"<button[^>]*post-action--agree.*?</button>", article, re.S)
    assert match, article
    return match.group(0)


def test_agreeing_shows_pressed_with_the_count(auth, client, world, forums):
    tid, post_id = forums.nord_thread.id, forums.nord_thread.last_post_id
    auth.login(world.member)
    button = _agree_button(_article(client.get(f"/forums/threads/{tid}").text, post_id))
    assert 'aria-pressed="false"' in button
    assert re.search(r"data-agree-count>0<", button)
    auth.post(f"/forums/posts/{post_id}/agree")
    button = _agree_button(_article(client.get(f"/forums/threads/{tid}").text, post_id))
    assert 'aria-pressed="true"' in button
    assert re.search(r"data-agree-count>1<", button)
    assert "#thumbs-up" in button and "<span>Zustimmung</span>" in button
    auth.post(f"/forums/posts/{post_id}/agree")  # and back
    button = _agree_button(_article(client.get(f"/forums/threads/{tid}").text, post_id))
    assert 'aria-pressed="false"' in button and re.search(
        r"data-agree-count>0<", button
    )


def test_every_action_is_an_icon_button_with_a_label(auth, client, world, forums):
    tid, post_id = forums.nord_thread.id, forums.nord_thread.last_post_id
    auth.login(world.organiser)  # the author, and a moderator here
    own = _article(client.get(f"/forums/threads/{tid}").text, post_id)
    footer = own[own.index('<footer class="post-actions">') :]
    actions = re.findall(r'<(a|button|summary)[^>]*class="post-action[^"]*"', footer)
    assert len(actions) >= 4, footer  # agreements, reply, quote, edit, delete, hide
    for label in ("Antworten", "Zitieren", "Bearbeiten", "Löschen", "Ausblenden"):
        assert re.search(
            rf'<svg class="icon" aria-hidden="true"[^>]*><use href="[^"]+#[\w-]+">'
            rf"</use></svg><span>{label}</span>",
            footer,
        ), label
    # no bare text links among the actions: each link or button is a post-action
    assert not re.search(r'<a (?![^>]*class="post-action)[^>]*>', footer), footer


def test_reply_link_opens_the_reply_box(app, auth, client, session, world, forums):
    from tests.factories import make_post

    with app.app_context():
        thread = session.merge(forums.nord_thread)
        for i in range(25):  # two pages
            make_post(session, thread, world.organiser, f"Nr {i}")
    auth.login(world.member)
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").text
    href = re.search(r'<a class="post-action" href="([^"]+)#reply">', page).group(1)
    assert 'id="reply"' not in page  # page 1 has no reply box
    assert 'id="reply"' in client.get(href.replace("&amp;", "&")).text


def test_post_times_carry_the_exact_instant(auth, client, world, forums):
    auth.login(world.member)
    page = client.get(f"/forums/threads/{forums.nord_thread.id}").text
    time = re.search(r'<time class="reltime" [^>]*>[^<]+</time>', page).group(0)
    assert re.search(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"', time)
    # The exact time is the text, once (a page repeats it per post): not "vor …"
    # frozen into the cache. app.js moves it into title when it writes "vor …"
    # (tests/browser/test_forum_live.py).
    exact = re.search(r">([^<]+)</time>", time).group(1)
    assert re.search(r"\d\d:\d\d", exact) and "title=" not in time


def test_empty_reply_marks_the_field(auth, client, world, forums):
    auth.login(world.member)
    page = auth.post(f"/forums/threads/{forums.nord_thread.id}", {"body": "\x01 "}).text
    assert "markierten Angaben" not in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert '<a href="#body">Deine Antwort: Bitte ausfüllen.</a>' in summary
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="body"', page)
    assert re.search(
        r'<textarea[^>]*aria-describedby="[^"]*body-errors[^"]*"', page
    ) and re.search(r'<ul class="errors" id="body-errors">\s*<li>Bitte ausfüllen', page)


def test_an_empty_new_title_says_which_field(auth, client, world, forums):
    """The rename form sits on the thread page: its refusal names the field rather
    than pointing at marks the page does not show."""
    auth.login(world.organiser)  # moderates Nord
    url = f"/forums/threads/{forums.nord_thread.id}"
    page = auth.post(f"{url}/rename", {"title": "\x01"}, follow_redirects=True).text
    assert "Neuer Titel: Bitte ausfüllen." in page
    assert "markierten Angaben" not in page
