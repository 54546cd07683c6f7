"""Redirect targets from forms: control characters mean no target, never a 500."""

from __future__ import annotations

import pytest

from ortsverein.security import safe_next
from tests.factories import PASSWORD

BAD_TARGETS = [
    "/forums\r\nSet-Cookie: x=1",
    "/forums\nLocation: https://evil.example",
    "/forums\r",
    "/polls\x0b",
    "/polls\x7f",
    "/polls\x85",
]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_login_with_a_control_character_in_next_goes_home(world, auth, target):
    response = auth.post(
        "/login",
        {"email": world.member.email, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_language_switch_with_a_control_character_in_next_goes_home(auth, target):
    response = auth.post("/profile/language", {"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_plain_relative_targets_are_still_followed():
    assert safe_next("/forums/3?page=2#post-5") == "/forums/3?page=2#post-5"
    assert safe_next("/forums/\u00fcber") == "/forums/\u00fcber"
    assert safe_next("/a\tb") == "/"
