"""Two members in two Chromium contexts: one posts, the other sees the post appear
without reloading; the page also works as plain HTML."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _login(page, base, member):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(member.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


# What a member sees of a post, element by element: tag, classes, the attributes that
# make its links, buttons and icons work or name them, and the action labels' text.
# Not the body's or the time's text ("vor 1 Minute" may have become "vor 2 Minuten").
_SHAPE = """(article) => [article, ...article.querySelectorAll("*")].map((el) => [
  el.tagName, ...["class", "id", "href", "form", "formaction", "aria-pressed",
    "aria-hidden", "aria-labelledby", "data-confirm", "title", "tabindex",
  ].map((name) => el.getAttribute(name)),
  el.closest(".post-actions") && !el.children.length ? el.textContent : null,
].join("|"))"""


def test_post_appears_live_in_the_other_members_browser(
    world, forums, live_server, browser
):
    base = live_server.url
    contexts = [browser.new_context(locale="de-DE") for _ in range(2)]
    try:
        reader, writer = (c.new_page() for c in contexts)
        for page in (reader, writer):
            page.set_default_timeout(15_000)
        _login(reader, base, world.member)
        _login(writer, base, world.board)
        url = f"{base}/forums/threads/{forums.nord_thread.id}"
        reader.goto(url)
        writer.goto(url)
        # both are reading: the presence count reaches the reader
        reader.locator("[data-presence]").get_by_text("2 lesen gerade mit").wait_for()
        writer.get_by_label("Deine Antwort").fill("Ich bin **live** dabei")
        reader.locator("[data-typing]").get_by_text(
            f"{world.board.name} schreibt"
        ).wait_for()
        writer.get_by_role("button", name="Antwort senden").click()
        writer.wait_for_url(f"{url}#post-*")
        # the reader did not reload, and yet the new post is there
        live = reader.locator("article.post", has_text="live")
        live.locator("strong", has_text="live").wait_for()
        assert reader.locator("article.post").count() == 2
        # exactly as the server draws it for the reader: the same buttons, icons
        # (quote and trash from the sprite), labels and links as after a reload
        post_id = live.get_attribute("data-post-id")
        live.locator("time[title]").wait_for()  # app.js has made the time relative
        live_shape = live.evaluate(_SHAPE)
        reader.screenshot(path=str(live_server.screenshot_dir / "forum-live.png"))
        reader.reload()
        reloaded = reader.locator(f"#post-{post_id}")
        reloaded.locator("time[title]").wait_for()
        assert live_shape == reloaded.evaluate(_SHAPE)
        icons = reloaded.locator(".post-actions use").evaluate_all(
            "(uses) => uses.map((u) => u.getAttribute('href').split('#')[1])"
        )
        assert icons == ["thumbs-up", "reply", "quote", "flag"], icons
        # its buttons work: agreeing submits the page's one form with the token
        reader.reload()
        live_button = reader.locator(f"#post-{post_id} .post-action--agree")
        live_button.click()
        reader.wait_for_url(f"{url}#post-{post_id}")
        expect(
            reader.locator(f"#post-{post_id} .post-action--agree")
        ).to_have_attribute("aria-pressed", "true")
    finally:
        for context in contexts:
            context.close()


def test_an_edited_post_is_redrawn_live_as_the_server_draws_it(
    app, session, world, forums, live_server, browser
):
    """The author edits in another tab: the reader's page shows the new text and
    the "bearbeitet" time, and keeps the post's buttons."""
    from discussions.post_actions import edit_post

    post_id = forums.nord_thread.last_post_id
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _login(page, live_server.url, world.member)
        page.goto(f"{live_server.url}/forums/threads/{forums.nord_thread.id}")
        page.locator("[data-presence]").get_by_text("1 liest gerade mit").wait_for()
        with app.test_request_context():
            edit_post(session, session.merge(world.organiser), post_id, "Neu *gefasst*")
            session.commit()
        article = page.locator(f"#post-{post_id}")
        article.locator("em", has_text="gefasst").wait_for()
        expect(article.locator(".post__meta")).to_contain_text("bearbeitet")
        article.locator(".post__meta time[title]").nth(1).wait_for()
        live_shape = article.evaluate(_SHAPE)
        page.reload()
        page.locator(f"#post-{post_id} .post__meta time[title]").nth(1).wait_for()
        assert live_shape == page.locator(f"#post-{post_id}").evaluate(_SHAPE)
    finally:
        context.close()


def test_thread_works_without_javascript(world, forums, live_server, browser):
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _login(page, live_server.url, world.member)
        page.goto(f"{live_server.url}/forums/threads/{forums.nord_thread.id}")
        page.get_by_label("Deine Antwort").fill("Ohne Skript geht es auch")
        page.get_by_role("button", name="Antwort senden").click()
        # the click only starts the form's navigation: expect waits for the page
        expect(page.get_by_text("Ohne Skript geht es auch")).to_have_count(1)
        # a post's buttons submit the page's one form (their `form` attribute)
        first = page.locator("article.post").first
        first.get_by_role("button", name="Zustimmung").click()
        page.wait_for_url("**#post-*")
        expect(
            page.locator("article.post").first.locator(".post-action--agree")
        ).to_have_attribute("aria-pressed", "true")
    finally:
        context.close()


def test_a_post_hidden_live_reads_in_the_readers_language(
    app, session, world, forums, live_server, browser
):
    """A German-speaking moderator hides a post; a reader who uses English sees the
    placeholder in English, not in the words of the event's sender."""
    from discussions.moderation import hide_post

    world.member.locale = "en"
    session.commit()
    post_id = forums.nord_thread.last_post_id
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        _login(page, live_server.url, world.member)
        page.goto(f"{live_server.url}/forums/threads/{forums.nord_thread.id}")
        page.locator("[data-presence]").get_by_text("1 reading now").wait_for()
        with app.test_request_context():
            hide_post(session, session.merge(world.organiser), post_id, "Zu laut")
        body = page.locator(f"#post-{post_id} [data-post-body]")
        body.get_by_text("Hidden by the moderators.").wait_for()
        assert "Moderation" not in body.inner_text()
    finally:
        context.close()


def test_a_resync_brings_a_post_whose_event_was_lost(
    app, session, world, forums, live_server, browser
):
    """A post saved while its event was lost (Redis away): when the server then
    sends `resync`, the open thread page catches up without a reload."""
    from discussions.services import _add_post
    from ortsverein.realtime import socketio
    from tests.factories import _through_service

    base = live_server.url
    context = browser.new_context(locale="de-DE")
    try:
        reader = context.new_page()
        reader.set_default_timeout(15_000)
        _login(reader, base, world.member)
        reader.goto(f"{base}/forums/threads/{forums.nord_thread.id}")
        reader.locator("[data-presence]").get_by_text("1 liest gerade mit").wait_for()
        with app.app_context():
            thread = session.get(type(forums.nord_thread), forums.nord_thread.id)
            # Saved, never announced: as when the message queue was away.
            _through_service(session, _add_post, world.board, thread, "Verpasst?")
            reader.wait_for_timeout(500)
            assert reader.locator("article.post").count() == 1
            socketio.emit("resync", {"reason": "message_queue"})
        reader.locator("article.post", has_text="Verpasst?").wait_for()
        assert reader.locator("article.post").count() == 2
    finally:
        context.close()
