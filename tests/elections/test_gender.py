"""A member's optional gender for election quotas: set on the profile, shown back
only to them, cleared again, and part of their Art. 15 data export."""

from __future__ import annotations

import json

from tests.factories import fresh
from tests.privacy.test_export import unzip, wait_ready


def test_member_states_and_clears_gender_on_profile(auth, client, world, session):
    auth.login(world.member)
    page = client.get("/profile/").get_data(as_text=True)
    assert "Nur für Quoten bei Wahlen" in page
    response = auth.post("/profile/gender", {"gender": "w"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(type(world.member), world.member.id).gender == "w"
    page = client.get("/profile/").get_data(as_text=True)
    assert 'selected value="w"' in page
    auth.post("/profile/gender", {"gender": ""})
    fresh(session)
    assert session.get(type(world.member), world.member.id).gender is None


def test_unknown_gender_value_is_refused_and_nothing_stored(
    auth, client, world, session
):
    auth.login(world.member)
    response = auth.post("/profile/gender", {"gender": "x"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True) or (
        "Keine gültige" in response.get_data(as_text=True)
    )
    fresh(session)
    assert session.get(type(world.member), world.member.id).gender is None


def test_gender_and_candidacies_are_in_the_members_data_export(
    auth, client, world, session, elections
):
    election = elections.create()
    elections.stand(election, world.member, statement="Mein Text")
    auth.post("/profile/gender", {"gender": "d"})
    auth.post("/profile/data/export")
    export = wait_ready(session, world.member.id)
    files = unzip(client.get(f"/profile/data/exports/{export.id}").data)
    assert json.loads(files["profile.json"])["gender"] == "d"
    [candidacy] = json.loads(files["elections.json"])["candidacies"]
    assert candidacy["election"] == "Vorsitz 2027"
    assert candidacy["statement"] == "Mein Text" and candidacy["nominee_is_me"]
