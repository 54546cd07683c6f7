"""The language is chosen in the footer (one button per language) and on the
profile, not in the header."""

from __future__ import annotations

import re


def test_footer_buttons_and_profile_form(world, auth, client):
    auth.login(world.member)
    page = client.get("/").get_data(as_text=True)
    header = page[page.index("<header") : page.index("</header>")]
    footer = page[page.index("<footer") : page.index("</footer>")]
    assert 'name="lang"' not in header and "/profile/language" not in header
    buttons = re.findall(
        r'<button type="submit" name="lang" value="(\w+)"[^>]*>', footer
    )
    assert buttons == ["de", "en"]
    assert re.search(r'value="de" lang="de"[^>]*aria-current="true"', footer)

    profile = client.get("/profile/").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/profile/language".*?</form>', profile, re.S)
    assert form and '<option selected value="de" lang="de">' in form.group(0)
    saved = auth.post("/profile/language", {"lang": "en", "next": "/profile/"})
    assert saved.headers["Location"] == "/profile/"
    english = client.get("/profile/").get_data(as_text=True)
    assert '<html lang="en">' in english and "Save language" in english
    assert re.search(r'value="en" lang="en"[^>]*aria-current="true"', english)
