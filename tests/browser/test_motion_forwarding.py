"""In Chromium: the branch's board forwards an adopted motion to the Unterbezirk's
open motion book, follows the link to it there and finds its origin; without
JavaScript-only controls (a plain form with a labelled choice)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motions import services
from tests.factories import PASSWORD
from tests.motions.conftest import act, make_book, submit

pytestmark = pytest.mark.browser


def test_board_forwards_and_finds_it_in_the_higher_book(
    app, world, session, live_server, page
):
    with app.app_context():
        book = make_book(session, world.nord, world.organiser)
        motion = submit(session, book, world.member)
        act(session, services.change_status, world.organiser, motion, "admitted")
        act(session, services.change_status, world.organiser, motion, "adopted")
        make_book(session, world.ub, world.admin, title="UB-Parteitag")
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(world.board.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/motions/{motion.id}")
    page.get_by_label("An das Antragsbuch").select_option(
        label="Unterbezirk: UB-Parteitag"
    )
    page.get_by_role("button", name="Weiterleiten").click()
    expect(page.get_by_text("dort als A1")).to_be_visible()
    link = page.get_by_role("link", name=re.compile("Weitergeleitet an „UB-Parteitag“"))
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_text("Weitergeleitet von OV Nord: Beschluss A1")).to_be_visible()
    expect(page.get_by_role("heading", name="Verlauf in OV Nord")).to_be_visible()
    page.get_by_role("link", name="Zum ursprünglichen Antrag").click()
    page.wait_for_url(re.compile(rf"/motions/{motion.id}$"))
    expect(page.get_by_text("dort:")).to_be_visible()
