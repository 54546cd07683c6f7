"""A chair and a member in two Chromium contexts: check-in, the speakers' list, the
agenda, a live vote and the discussion reach the other without a reload."""

from __future__ import annotations

import pytest

from meetings import services
from tests.browser.test_forum_live import _login
from tests.factories import make_meeting, meeting_action

pytestmark = pytest.mark.browser


def test_chair_and_member_run_a_meeting_live(
    world, forums, session, live_server, browser
):
    meeting = make_meeting(
        session, world.nord, world.organiser, forum_id=forums.nord.id
    )
    meeting_action(session, services.start, world.organiser, meeting)
    base = live_server.url
    url = f"{base}/meetings/{meeting.id}"
    contexts = [browser.new_context(locale="de-DE") for _ in range(2)]
    try:
        chair, member = (c.new_page() for c in contexts)
        for page in (chair, member):
            page.set_default_timeout(15_000)
        _login(chair, base, world.organiser)
        _login(member, base, world.member)
        chair.goto(url)
        member.goto(url)
        # the member's page checked them in over the socket; the chair's list shows it
        member.get_by_text("Du bist anwesend.").wait_for()
        chair.locator("#attendance li", has_text=world.member.name).wait_for()

        member.get_by_role("button", name="Ich möchte sprechen").click()
        chair.locator("#speakers ol").get_by_text(world.member.name).wait_for()
        chair.get_by_role("button", name="Nächste Rednerin / nächster Redner").click()
        member.get_by_text(f"Es spricht: {world.member.name}").wait_for()
        member.locator("[data-countdown]").get_by_text("noch").wait_for()

        chair.get_by_role("button", name="Nächster Punkt").click()
        member.get_by_role("heading", name="TOP 2: Lastenrad").wait_for()

        chair.get_by_text("Abstimmung starten").click()
        chair.get_by_label("Frage").fill("Lastenrad anschaffen?")
        chair.get_by_role(
            "button", name="Starten: alle jetzt Anwesenden stimmen ab"
        ).click()
        member.get_by_role("link", name="Jetzt abstimmen").wait_for()

        chair.get_by_label("Deine Antwort").fill("Bitte *kurz* fassen")
        chair.get_by_role("button", name="Beitrag senden").click()
        live = member.locator("[data-posts] li", has_text="kurz")
        live.locator("em").wait_for()
        member.screenshot(path=str(live_server.screenshot_dir / "meeting-live.png"))
        # drawn as the server draws it: "Name · 19:05", then the text, no wrapper
        live_html = live.evaluate("(li) => li.outerHTML")
        member.reload()
        assert (
            member.locator("[data-posts] li", has_text="kurz").evaluate(
                "(li) => li.outerHTML"
            )
            == live_html
        )
    finally:
        for context in contexts:
            context.close()
