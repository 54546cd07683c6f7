"""The chair enters an STV round's paper ballots on a 390 px phone without any
script: the page fits the screen and passes axe, a duplicate rank is refused with
the ballot named and every typed number kept, the corrected ballots are counted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from meetings import attendance, services
from tests.browser.test_forum_live import _login
from tests.browser.test_layout import AXE, AXE_TAGS, SCREENS
from tests.elections.conftest import Elections
from tests.factories import make_meeting, make_member, meeting_action

pytestmark = pytest.mark.browser


def _axe(page) -> list:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag',
            values: tags}, resultTypes: ['violations']})).violations.map(
            v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))""",
        AXE_TAGS,
    )


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_chair_enters_ranked_paper_ballots_on_a_phone(
    app, world, session, live_server, browser, auth, client
):
    with app.app_context():
        people = [
            make_member(session, world.nord, first_name=first, last_name=last)
            for first, last in (("Anna", "Arndt"), ("Ben", "Brandt"), ("Cem", "Celik"))
        ]
        session.commit()
    meeting = make_meeting(session, world.nord, world.organiser)
    meeting_action(session, services.start, world.organiser, meeting)
    for member in (world.board, world.member):
        meeting_action(
            session, attendance.room_check_in, world.organiser, meeting, member.id
        )
    elections = Elections(auth, client, session, world)
    election = elections.create(
        meeting_id=str(meeting.id), seats="2", method="stv_scottish"
    )
    for who in people:
        elections.stand(election, who)
    elections.close_nominations(election)
    elections.start_round(election)

    context = browser.new_context(locale="de-DE", **SCREENS["phone"])
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        base = live_server.url
        _login(page, base, world.organiser)
        page.goto(f"{base}/meetings/{meeting.id}")
        page.get_by_role("link", name="Papierstimmzettel aus dem Saal erfassen").click()
        page.wait_for_url(re.compile(r"/paper-ballots$"))
        assert _fits(page) and _axe(page) == []
        page.get_by_role("checkbox", name=world.board.name).check()
        page.get_by_role("checkbox", name=world.member.name).check()
        first = page.get_by_role("group", name="Stimmzettel 1")
        second = page.get_by_role("group", name="Stimmzettel 2")
        first.get_by_label("Anna Arndt").fill("1")
        first.get_by_label("Cem Celik").fill("2")
        second.get_by_label("Ben Brandt").fill("1")
        second.get_by_label("Cem Celik").fill("1")  # a slip: rank 1 twice
        page.get_by_role("button", name="Papierstimmen zählen").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text(
            "Stimmzettel 2: Rang 1 ist mehrfach vergeben (Ben Brandt, Cem Celik)."
        )
        assert _fits(page) and _axe(page) == []
        second = page.get_by_role("group", name="Stimmzettel 2")
        expect(
            page.get_by_role("group", name="Stimmzettel 1").get_by_label("Cem Celik")
        ).to_have_value("2")
        expect(second.get_by_label("Ben Brandt")).to_have_value("1")
        expect(page.get_by_role("checkbox", name=world.member.name)).to_be_checked()
        second.get_by_label("Cem Celik").fill("2")
        page.get_by_role("button", name="Papierstimmen zählen").click()
        page.wait_for_url(re.compile(rf"/meetings/{meeting.id}"))
        expect(page.get_by_text("Die Papierstimmen sind gezählt.")).to_be_visible()
        expect(page.locator("#vote")).to_contain_text("davon 2 auf Papier")
    finally:
        context.close()
