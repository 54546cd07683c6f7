"""A form with mistakes lists each one once above the form, linked to its field,
and marks the field itself."""

from __future__ import annotations

import re


def test_summary_links_every_error_to_its_field(client, auth):
    response = auth.post("/login", {"email": "", "password": ""})
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, page[:3000]
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(0))
    assert [target for target, _ in links] == ["email", "password"]
    assert all(":" in text for _, text in links)  # "E-Mail-Adresse: …"
    assert "Bitte korrigiere diese 2 Angaben:" in summary.group(0)
    # each linked field exists and is marked invalid
    for target, _ in links:
        assert re.search(rf'id="{target}"[^>]*aria-invalid="true"', page) or re.search(
            rf'aria-invalid="true"[^>]*id="{target}"', page
        )
