"""Key pages on a 390 px phone look as they did: a screenshot of each (the demo data,
as a member, German) is compared with a stored one, pixel by pixel with pixelmatch
(anti-aliasing ignored), and more than PIXEL_BUDGET of the pixels changed, or a
different page height, fails.

What changes from run to run is masked: times (`<time>`), dates written as text
(the demo data is seeded relative to now) and checksums (keys are new on every
seed). The live "1 liest gerade mit" is hidden, not masked: it appears only once
the page's socket has heard from the server, so a mask would cover it in one run
and nothing in the next. Repeated runs on one machine differ by a
few anti-aliased pixels at most.

The stored pictures are `tests/browser/screenshots/*.png`, made with the Chromium
and the fonts named in `screenshots/SETUP`. Another Chromium or another set of
fonts draws text a little differently everywhere, so there the comparison is
skipped, saying so. To update the pictures after a change of the design, or for a
new Chromium: look at the new pictures, then

    UPDATE_SCREENSHOTS=1 .venv/bin/pytest -n 0 tests/browser/test_screenshots.py

and commit `tests/browser/screenshots/`. A failing comparison leaves the new picture
and a diff (changed pixels red) in the test's temporary folder, named in the message.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.browser.test_layout import SCREENS, _login

pytestmark = pytest.mark.browser

STORED = Path(__file__).parent / "screenshots"
PIXEL_BUDGET = 0.0005  # share of a page's pixels that may differ (0.05 %)
THRESHOLD = 0.1  # pixelmatch's colour distance below which pixels count as equal
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"
DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}")
MASKED = "time, .checksum summary code, .receipt-hash"
HIDDEN = "[data-presence] { visibility: hidden !important; }"

# name -> how to get there from the home page: a path, or (page, link pattern) steps
PAGES: dict[str, list[str]] = {
    "home": ["/"],
    "forums": ["/forums/"],
    "thread": ["/forums/", r"^/forums/\d+$", r"^/forums/threads/\d+$"],
    "past-polls": ["/polls/?state=closed"],
    "results": ["/polls/?state=closed", r"^/polls/\d+$", r"^/polls/\d+/results$"],
    "notifications": ["/notifications/"],
}


@pytest.fixture(scope="module")
def phone(browser, demo_site):
    """A member's phone, logged in (German)."""
    context = browser.new_context(locale="de-DE", **SCREENS["phone"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(demo_site + "/login")
    shots = {"login": _shot(page)}
    _login(page, demo_site, "member", "de")
    for name, steps in PAGES.items():
        page.goto(demo_site + steps[0])
        for pattern in steps[1:]:
            hrefs = page.eval_on_selector_all(
                "main a[href]", "els => els.map(e => e.getAttribute('href'))"
            )
            target = next(h for h in hrefs if re.search(pattern, h))
            page.goto(demo_site + target)
        shots[name] = _shot(page)
    context.close()
    return shots


def _shot(page) -> bytes:
    page.wait_for_load_state("networkidle")
    masks = [page.locator(MASKED), page.get_by_text(DATE)]
    return page.screenshot(
        full_page=True,
        animations="disabled",
        caret="hide",
        mask=masks,
        style=HIDDEN,
    )


def _setup(browser) -> str:
    """What draws the pictures: the browser and the fonts it can choose from."""
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, check=True
        ).stdout
        fonts = ", ".join(sorted({line.strip() for line in listed.splitlines()}))
    except (OSError, subprocess.CalledProcessError):
        fonts = "(fc-list failed)"
    return f"Chromium {browser.version}\nfonts: {fonts}\n"


@pytest.mark.parametrize("name", ["login", *PAGES])
def test_page_looks_as_stored(name, phone, browser, tmp_path):
    from io import BytesIO

    from PIL import Image
    from pixelmatch.contrib.PIL import pixelmatch

    stored = STORED / f"{name}.png"
    if UPDATE:
        STORED.mkdir(exist_ok=True)
        stored.write_bytes(phone[name])
        (STORED / "SETUP").write_text(_setup(browser))
        print(f"stored {stored}")
        return
    setup = STORED / "SETUP"
    stored_setup = setup.read_text() if setup.exists() else "(none)"
    if stored_setup != _setup(browser):
        pytest.skip(
            f"the stored screenshots were drawn by {stored_setup!r}, this is "
            f"{_setup(browser)!r}: check and store them again (UPDATE_SCREENSHOTS=1, "
            "see this module's docstring)"
        )
    new = Image.open(BytesIO(phone[name])).convert("RGBA")
    old = Image.open(stored).convert("RGBA")
    (tmp_path / f"{name}.png").write_bytes(phone[name])
    assert new.size == old.size, (
        f"{name}: the page is {new.size} px, stored {old.size}; new picture: "
        f"{tmp_path / name}.png"
    )
    diff = Image.new("RGBA", new.size)
    changed = pixelmatch(old, new, diff, threshold=THRESHOLD)
    budget = PIXEL_BUDGET * new.size[0] * new.size[1]
    if changed > budget:
        diff.save(tmp_path / f"{name}-diff.png")
    assert changed <= budget, (
        f"{name}: {changed} pixels changed (budget {budget:.0f}); new picture and "
        f"diff in {tmp_path}"
    )
