"""A member logs in in Chromium, sees the home page and switches the language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ortsverein.db import write_intent
from ortsverein.seed import DEMO_PASSWORD, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, session):
    with app.app_context(), write_intent():
        seed(session, app.config)


def test_member_logs_in_sees_home_and_switches_language(demo, live_server, page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Anmelden").first.click()
    page.get_by_label("E-Mail-Adresse").fill("mitglied@example.org")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hallo Mina!"
    assert "OV Nord" in page.content()
    # the language choice is in the footer: one button per language
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Hello Mina!"
    assert page.locator("html").get_attribute("lang") == "en"
    # keyboard users: the skip link is the first thing Tab reaches
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.screenshot(path=str(live_server.screenshot_dir / "home-en.png"))
    assert errors == []  # no CSP violations or script errors


def test_wrong_password_keeps_the_email(demo, live_server, page):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill("mitglied@example.org")
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    # the click starts a navigation: wait for the answer page
    expect(page.get_by_text("E-Mail-Adresse oder Passwort ist falsch.")).to_be_visible()
    assert page.get_by_label("E-Mail-Adresse").input_value() == "mitglied@example.org"
