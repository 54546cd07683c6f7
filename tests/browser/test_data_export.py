"""In Chromium: the data page follows an export being prepared until it is ready,
without a reload (and without script errors or CSP violations)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import DataExport, ExportStatus, Member
from ortsverein.db import write_intent
from ortsverein.privacy import exports
from ortsverein.seed import DEMO_PASSWORD, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, session):
    with app.app_context(), write_intent():
        seed(session, app.config)


def test_export_status_updates_itself(demo, app, session, live_server, page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    member = session.scalar(
        select(Member).where(Member.email == "mitglied@example.org")
    )
    job = DataExport(member_id=member.id, requested_by_id=member.id)
    session.add(job)
    session.commit()

    page.goto(live_server.url + "/login")
    page.get_by_label("E-Mail-Adresse").fill(member.email)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/profile/data")
    assert page.get_by_text("wird erstellt").is_visible()

    with app.app_context():
        assert exports.build(session, job.id)
    session.commit()
    assert session.get(DataExport, job.id).status == ExportStatus.READY
    page.get_by_role("link", name="Herunterladen").wait_for()  # no reload
    assert page.url == live_server.url + "/profile/data"
    assert errors == []
