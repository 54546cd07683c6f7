"""Every POST route refuses a request without a CSRF token (walks app.url_map)."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import Member
from tests.factories import fresh


def _concrete(rule: str) -> str:
    rule = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule)  # the first choice
    return re.sub(r"<(?:int:)?[^>]+>", "1", rule)


# The only routes without a CSRF token, each with its own authorisation.
CSRF_EXEMPT = {"/mail/unsubscribe/<token>"}


def test_every_post_route_needs_a_csrf_token(world, app, auth, client, session):
    auth.login(world.admin)
    post_rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(post_rules) >= 15  # the walk really covers the app
    checked = 0
    for rule in post_rules:
        path = _concrete(rule.rule)
        response = client.post(path, data={"lang": "en", "email": "x@example.org"})
        if rule.rule in CSRF_EXEMPT:
            # RFC 8058: mail clients post without cookies; the signed token in the
            # path is the authorisation, and a bad one changes nothing.
            assert response.status_code == 400, (rule.rule, response.status_code)
            assert "Link nicht verwendbar" in response.get_data(as_text=True)
        elif rule.rule.startswith("/api/"):
            # The API takes bearer tokens only: a browser cookie is never enough.
            assert response.status_code in (401, 400), (rule.rule, response.status_code)
            assert response.is_json
        else:
            assert response.status_code == 400, (rule.rule, response.status_code)
            assert "Formular ist abgelaufen" in response.get_data(as_text=True)
        checked += 1
    assert checked == len(post_rules)
    # nothing was changed by any of the refused posts
    fresh(session)
    assert session.scalar(select(Member).where(Member.id == world.admin.id)).active
