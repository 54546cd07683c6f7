"""The poll pages on a 390 px phone (issue 22): a ranked ballot by tapping options
in order (with undo, keyboard and screen-reader announcements), and no poll page
wider than the screen, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from polls import casting
from tests.factories import PASSWORD, ballot_lines, close_now, fresh, make_poll

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 1,
}
LONG = "Mitgliederversammlungsgeschäftsordnungsänderungsantragsbegründung"


def _phone(browser, javascript=True):
    context = browser.new_context(
        locale="de-DE", java_script_enabled=javascript, **PHONE
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _login(page, base, member):
    page.goto(base + "/login")
    page.get_by_label("E-Mail-Adresse").fill(member.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


def _culprits(page) -> list[str]:
    """The innermost elements reaching past the screen's right edge."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                      && ![...e.children].some(c =>
                            c.getBoundingClientRect().right > innerWidth + 1))
            .slice(0, 1).map(e => { let out = [];
                for (let n = e; n; n = n.parentElement)
                out.push(n.tagName + '.' + n.className + ' '
                         + Math.round(n.getBoundingClientRect().width));
                return out.join(' < '); })"""
    )


def _axe(page, where: str) -> dict:
    """axe-core's WCAG 2.2 A/AA violations (with target-size), as the layout test."""
    from tests.browser.test_layout import AXE, AXE_TAGS

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag',
            values: tags}, resultTypes: ['violations']})).violations.map(v =>
            v.id + ': '
            + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '))""",
        AXE_TAGS,
    )
    return {where: found} if found else {}


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_ranked_ballot_by_tapping_in_order(app, world, session, live_server, browser):
    poll = make_poll(
        session, world.nord, world.organiser, kind="ranked", options=("A", "B", "C")
    )
    a, b, c = (o.id for o in poll.options)
    context, page = _phone(browser)
    _login(page, live_server.url, world.member)
    page.goto(f"{live_server.url}/polls/{poll.id}/vote")
    # the selects are the fallback; with JavaScript the list to tap replaces them
    assert not page.locator(f"#rank-{a}").is_visible()
    pool = page.locator(".ranker__pool")
    pool.get_by_role("button", name="B").tap()
    status = page.locator(".ranker [role=status]")
    assert status.text_content() == "B: Rang 1."
    # the focus moved on to the next option: the keyboard ranks it
    assert page.evaluate("document.activeElement.textContent") == "A"
    page.keyboard.press("Enter")
    assert page.locator(".ranker__chosen li").all_text_contents() == [
        "Rang 1B",
        "Rang 2A",
    ]
    assert pool.get_by_role("button").all_text_contents() == ["C"]  # never twice
    page.get_by_role("button", name="Rückgängig").tap()
    assert status.text_content() == "A ist nicht mehr eingestuft."
    pool.get_by_role("button", name="C").tap()
    # every row of the list is a large target
    for box in [
        page.locator(".ranker__chosen li").first.bounding_box(),
        pool.get_by_role("button").first.bounding_box(),
        page.locator(".confirm-box label").bounding_box(),
    ]:
        assert box and box["height"] >= 44
    assert _width(page) <= 390
    page.get_by_label("Ich habe meine Auswahl geprüft").check()
    page.get_by_role("button", name="Stimme verbindlich abgeben").tap()
    page.get_by_label("Quittungscode").wait_for()
    fresh(session)
    assert ballot_lines(app, session, poll) == [f"[{b},{c}]"]
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_poll_page_is_wider_than_a_phone(
    app, world, session, live_server, browser, javascript
):
    ranked = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="ranked",
        options=(LONG, "Kurz", "Noch eine Option"),
    )
    single = make_poll(
        session, world.nord, world.organiser, kind="single_choice", options=(LONG, "B")
    )
    multiple = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="multiple_choice",
        options=(LONG, "B", "C"),
        max_choices=2,
    )
    yes_no = make_poll(session, world.nord, world.organiser)
    with app.test_request_context():
        for voter in (world.member, world.organiser, world.admin):
            casting.cast(session, ranked, voter, [o.id for o in ranked.options])
            casting.cast(session, yes_no, voter, [yes_no.options[0].id])
    close_now(session, ranked)
    close_now(session, yes_no)
    base = live_server.url
    context, page = _phone(browser, javascript)
    _login(page, base, world.organiser)
    pages = [
        "/polls/",
        f"/polls/{single.id}/vote",
        f"/polls/{multiple.id}/vote",
        f"/polls/{ranked.id}",
        f"/polls/{ranked.id}/results",
        f"/polls/{ranked.id}/ballot-box",
        f"/polls/{yes_no.id}/results",
        f"/polls/{yes_no.id}/ballot-box",
        "/polls/new",
        "/polls/new?kind=multiple_choice",
    ]
    wide: dict = {}
    problems: dict = {}
    for path in pages:
        page.goto(base + path)
        if javascript:
            problems.update(_axe(page, path))
        if _width(page) > 390:
            wide[path] = (_width(page), _culprits(page))
    # the folded parts opened, and the form refused with every error shown
    page.goto(f"{base}/polls/{ranked.id}/results")
    for summary in page.locator("main details > summary").all():
        summary.click()
    if _width(page) > 390:
        wide["results, opened"] = (_width(page), _culprits(page))
    if javascript:  # axe is a script: a page without JavaScript never answers it
        problems.update(_axe(page, "results, opened"))
    page.goto(f"{base}/polls/{ranked.id}/ballot-box")
    for summary in page.locator("main details > summary").all():
        summary.click()
    if _width(page) > 390:
        wide["ballot box, opened"] = (_width(page), _culprits(page))
    page.goto(base + "/polls/new?kind=multiple_choice")
    page.get_by_label("Mindestens zu wählen").fill("3")
    page.get_by_role("button", name="Entwurf speichern").click()
    page.locator(".error-summary").wait_for()
    if _width(page) > 390:
        wide["refused form"] = (_width(page), _culprits(page))
    assert not wide, wide
    assert not problems, problems
    context.close()


def test_with_javascript_the_kind_changes_in_place(world, live_server, browser):
    context, page = _phone(browser)
    _login(page, live_server.url, world.organiser)
    page.goto(live_server.url + "/polls/new")
    page.get_by_label("Rangfolge (Schulze-Methode)").check()
    page.get_by_role("button", name="Weiter").click()
    # the click starts a navigation; wait for the second step and its script
    page.wait_for_url("**/polls/new?kind=ranked")
    page.wait_for_load_state("load")
    options = page.get_by_label("Optionen, eine pro Zeile")
    expect(options).to_be_visible()
    expect(page.get_by_label("Mindestens zu wählen")).to_be_hidden()
    # no round trip needed: the button for that is gone, the fields follow the kind
    expect(page.get_by_role("button", name="Art übernehmen")).to_be_hidden()
    page.get_by_label("Art", exact=True).select_option("yes_no_abstain")
    expect(options).to_be_hidden()
    page.get_by_label("Art", exact=True).select_option("multiple_choice")
    expect(options).to_be_visible()
    expect(page.get_by_label("Mindestens zu wählen")).to_be_visible()
    context.close()
