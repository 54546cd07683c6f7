"""In Chromium on a phone-sized page: a member withdraws their amendment with the
plain form on the amendments page (no JavaScript needed) and finds its status on
the motion page; a member follows the meeting page's link to the motions on its
agenda. axe-core finds both pages free of WCAG violations, neither scrolls
sideways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from motions import amendments
from tests.factories import PASSWORD
from tests.motions.conftest import act, make_book, submit

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _axe(page) -> list:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag',
            values: tags}, resultTypes: ['violations']})).violations.map(
            v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
        TAGS,
    )


def test_member_withdraws_an_amendment_and_sees_its_status(
    app, world, session, live_server, page
):
    with app.app_context():
        book = make_book(session, world.nord, world.organiser)
        motion = submit(session, book, world.board)
        act(session, amendments.propose, world.member, motion, 1, 1, "Mehr Busse.")
        act(session, amendments.propose, world.board, motion, 2, 2, "Und Bäume.")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(world.member.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/motions/{motion.id}/amendments")
    expect(page.get_by_role("button", name="Ä2 zurückziehen")).to_have_count(0)
    page.get_by_role("button", name="Ä1 zurückziehen").click()
    expect(
        page.get_by_text("Der Änderungsantrag Ä1 ist zurückgezogen.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Ä1 zurückziehen")).to_have_count(0)
    page.goto(f"{live_server.url}/motions/{motion.id}")
    listed = page.get_by_role("list", name="Änderungsanträge und ihr Stand")
    expect(listed.get_by_role("link", name="Ä1 zurückgezogen")).to_be_visible()
    expect(listed.get_by_role("link", name="Ä2 eingereicht")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _axe(page) == []


def test_member_follows_the_meeting_page_to_its_motions(
    app, world, session, live_server, page
):
    from motions import services
    from tests.factories import make_meeting

    meeting = make_meeting(session, world.nord, world.organiser)
    with app.app_context():
        book = make_book(session, world.nord, world.organiser)
        motion = submit(session, book, world.member)
        item_id = meeting.items[1].id
        act(
            session,
            services.list_on_agenda,
            world.organiser,
            meeting,
            item_id,
            motion.id,
        )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(world.member.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/meetings/{meeting.id}")
    link = page.get_by_role("link", name="Anträge auf der Tagesordnung (1)")
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _axe(page) == []
    link.click()
    page.wait_for_url(re.compile(rf"/motions/meetings/{meeting.id}$"))
    expect(page.get_by_text(f"{motion.number}: {motion.title}").first).to_be_visible()
