"""A member votes in Chromium, keeps the receipt, and after closing finds the ballot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, close_now, make_poll

pytestmark = pytest.mark.browser


def test_vote_receipt_and_check_after_closing(world, session, live_server, page):
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="single_choice",
        options=("Rot", "Grün", "Blau"),
    )
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(world.member.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Abstimmungen").first.click()
    page.get_by_role("link", name="Abstimmen").first.click()
    assert "geheim" in page.content()
    page.get_by_label("Grün").check()
    page.get_by_role("button", name="Stimme verbindlich abgeben").click()
    # Without the confirmation the choice is kept and the rule is named. The click
    # only starts the form's navigation: web-first assertions wait for the answer
    # page (an instant count() once read the form still on screen, 2026-12-04).
    expect(
        page.get_by_text("Bitte bestätige, dass deine Auswahl endgültig ist.")
    ).not_to_have_count(0)
    expect(page.get_by_label("Grün")).to_be_checked()
    page.get_by_label("Ich habe meine Auswahl geprüft").check()
    page.get_by_role("button", name="Stimme verbindlich abgeben").click()
    code = page.get_by_label("Quittungscode").input_value()
    assert len(code) == 29
    page.screenshot(path=str(live_server.screenshot_dir / "receipt.png"))
    page.goto(f"{live_server.url}/polls/{poll.id}")
    assert page.get_by_text("Du hast bereits abgestimmt").count()
    close_now(session, poll)
    page.goto(f"{live_server.url}/polls/{poll.id}/results")
    assert page.get_by_text("Gewählt ist: Grün").count()
    page.screenshot(
        path=str(live_server.screenshot_dir / "results.png"), full_page=True
    )
    page.get_by_role("link", name="Urne ansehen und Quittung prüfen").click()
    page.get_by_label("Quittungscode").fill(code.lower())
    page.get_by_role("button", name="Prüfen").click()
    # the click only starts the form's navigation: wait for the answer page
    page.get_by_text("Deine Stimme liegt in der Urne").wait_for(timeout=15_000)
