"""The yes/no/abstain-for-each-option ballot (Listenwahl) in Chromium on a phone,
filled in by keyboard alone (the page has no script of its own; the
form posts as is, see tests/polls/test_yes_no_abstain_each.py)."""

from __future__ import annotations

import pytest

from tests.browser.test_polls_phone import _axe, _login, _phone, _width
from tests.factories import ballot_lines, fresh, make_poll

pytestmark = pytest.mark.browser


def test_each_option_answered_by_keyboard_on_a_phone(
    app, world, session, live_server, browser
):
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="yes_no_abstain_each",
        options=("Anna Arndt", "Ben Brandt", "Cem Celik"),
    )
    anna, ben, _cem = (o.id for o in poll.options)
    context, page = _phone(browser)  # the page loads no script for this ballot
    _login(page, live_server.url, world.member)
    page.goto(f"{live_server.url}/polls/{poll.id}/vote")
    # every answer is a radio button named by its option's group and its label
    group = page.get_by_role("group", name="Ben Brandt")
    assert group.get_by_role("radio").count() == 3
    assert _axe(page, "ballot") == {}
    assert _width(page) <= 390
    # Tab reaches Anna's group; the arrow keys move within it, as radio groups do
    page.get_by_role("group", name="Anna Arndt").get_by_label("Ja").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # on to Ben's group
    page.keyboard.press("ArrowRight")  # Nein
    page.keyboard.press("Space")
    assert page.get_by_role("group", name="Anna Arndt").get_by_label("Ja").is_checked()
    assert (
        page.get_by_role("group", name="Ben Brandt").get_by_label("Nein").is_checked()
    )
    page.get_by_label("Ich habe meine Auswahl geprüft").check()
    page.get_by_role("button", name="Stimme verbindlich abgeben").click()
    page.get_by_label("Quittungscode").wait_for()
    fresh(session)
    # Cem was left unmarked: an abstention
    assert ballot_lines(app, session, poll) == [f"[{anna},-{ben}]"]
    context.close()
