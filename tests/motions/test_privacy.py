"""A member's data export (Art. 15/20) holds the motions they submitted, with their
texts, the motions they supported and the status steps they took."""

from __future__ import annotations

import json

from motions import services
from tests.privacy.test_export import unzip, wait_ready

from .conftest import act, submit


def test_export_lists_motions_submitted_supported_and_decided(
    app, session, world, auth, client, book
):
    with app.app_context():
        motion = submit(session, book, world.member, text="Mehr Bäume.")
        act(session, services.support, world.organiser, motion)
        act(session, services.change_status, world.organiser, motion, "admitted")

    def export(member) -> dict:
        auth.login(member)
        auth.post("/profile/data/export")
        done = wait_ready(session, member.id)
        files = unzip(client.get(f"/profile/data/exports/{done.id}").data)
        auth.logout()
        return json.loads(files["motions.json"])

    mine = export(world.member)
    assert [(m["number"], m["text"]) for m in mine["submitted"]] == [
        ("A1", "Mehr Bäume.")
    ]
    assert mine["supported"] == []
    assert [(c["from_status"], c["to_status"]) for c in mine["status_changes"]] == [
        (None, "submitted")
    ]
    theirs = export(world.organiser)
    assert [m["number"] for m in theirs["supported"]] == ["A1"]
    assert [(c["from_status"], c["to_status"]) for c in theirs["status_changes"]] == [
        ("submitted", "admitted")
    ]
    assert theirs["submitted"] == []
