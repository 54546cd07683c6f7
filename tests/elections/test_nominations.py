"""Nominations: self-nomination counts at once; another member's nomination waits
for their consent (shown on their home page), and the list can only be closed with
a consenting candidate; outsiders cannot nominate or be nominated; the API and the
socket events say the same."""

from __future__ import annotations

from sqlalchemy import select

from models import Candidacy, Notification
from tests.api.test_api import _token
from tests.factories import fresh, make_member


def _events(received, name):
    return [r["args"][0] for r in received if r["name"] == name]


def test_nomination_by_another_member_waits_for_consent(
    elections, people, world, session, client
):
    election = elections.create()
    elections.as_(world.member)
    response = elections.auth.post(
        f"/elections/{election.id}/nominate",
        {"nominee": people.ben.id, "statement": "ignored: not your own"},
        follow_redirects=True,
    )
    assert "Ben Brandt ist vorgeschlagen" in response.get_data(as_text=True)
    fresh(session)
    candidacy = session.scalar(select(Candidacy))
    assert candidacy.consent_at is None and candidacy.statement == ""
    assert not candidacy.standing

    # Closing now would leave nobody on the ballot.
    elections.as_(world.organiser)
    refused = elections.auth.post(
        f"/elections/{election.id}/close-nominations", follow_redirects=True
    )
    assert "Es gibt noch keine Kandidatur mit Zustimmung" in refused.get_data(True)

    elections.as_(people.ben)
    note = session.scalar(
        select(Notification).where(Notification.member_id == people.ben.id)
    )
    assert note is not None and note.url == f"/elections/{election.id}"
    assert "wartet auf deine Zustimmung" in client.get("/").get_data(as_text=True)
    page = elections.page(election)
    assert "Ich stimme zu und kandidiere" in page
    elections.auth.post(
        f"/elections/candidacies/{candidacy.id}/consent",
        {"statement": "**Ich** mache das gern. <script>x()</script>"},
    )
    fresh(session)
    candidacy = session.get(Candidacy, candidacy.id)
    assert candidacy.standing
    assert "<strong>Ich</strong>" in candidacy.statement_html
    assert "<script>" not in candidacy.statement_html
    assert "wartet auf deine Zustimmung" not in client.get("/").get_data(True)
    elections.close_nominations(election)


def test_someone_else_cannot_consent_or_withdraw_for_a_candidate(
    elections, people, world, session
):
    election = elections.create()
    elections.stand(election, people.anna)
    fresh(session)
    candidacy = session.scalar(select(Candidacy))
    elections.as_(world.member)
    assert (
        elections.auth.post(
            f"/elections/candidacies/{candidacy.id}/withdraw"
        ).status_code
        == 404
    )
    assert (
        elections.auth.post(
            f"/elections/candidacies/{candidacy.id}/consent"
        ).status_code
        == 404
    )
    fresh(session)
    assert session.get(Candidacy, candidacy.id).withdrawn_at is None
    elections.as_(people.anna)
    elections.auth.post(f"/elections/candidacies/{candidacy.id}/withdraw")
    fresh(session)
    assert session.get(Candidacy, candidacy.id).withdrawn_at is not None


def test_members_of_other_branches_neither_see_nor_stand(
    elections, people, world, session, client
):
    election = elections.create()
    elections.as_(world.sued_member)
    assert client.get(f"/elections/{election.id}").status_code == 404
    assert "Vorsitz 2027" not in client.get("/elections/").get_data(as_text=True)
    response = elections.auth.post(
        f"/elections/{election.id}/nominate", {"nominee": world.sued_member.id}
    )
    assert response.status_code == 404
    fresh(session)
    assert session.scalars(select(Candidacy)).all() == []


def test_api_nominate_consent_and_read(elections, people, world, session, client):
    election = elections.create()
    token = _token(client, world.member)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/v1/elections/{election.id}/candidacies",
        json={"member_id": people.cem.id},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["member"]["name"] == "Cem Celik" and body["consented"] is False
    again = client.post(
        f"/api/v1/elections/{election.id}/candidacies",
        json={"member_id": people.cem.id},
        headers=headers,
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    # Only the nominee consents.
    refused = client.post(
        f"/api/v1/candidacies/{body['id']}/consent", json={}, headers=headers
    )
    assert refused.status_code == 404
    cem = {"Authorization": f"Bearer {_token(client, people.cem)}"}
    done = client.post(
        f"/api/v1/candidacies/{body['id']}/consent",
        json={"statement": "Gern."},
        headers=cem,
    )
    assert done.status_code == 200 and done.get_json()["standing"] is True
    listed = client.get("/api/v1/elections", headers=headers).get_json()
    assert [e["id"] for e in listed["items"]] == [election.id]
    one = client.get(f"/api/v1/elections/{election.id}", headers=headers).get_json()
    assert one["method"] == "single" and one["open_seats"] == 1
    assert [c["member"]["id"] for c in one["candidacies"]] == [people.cem.id]
    results = client.get(
        f"/api/v1/elections/{election.id}/results", headers=headers
    ).get_json()
    assert results == {
        "election_id": election.id,
        "status": "nomination",
        "open_seats": 1,
        "elected": [],
        "rounds": [],
    }
    bad = client.post(
        f"/api/v1/elections/{election.id}/candidacies",
        json={"member_id": "x"},
        headers=headers,
    )
    assert bad.status_code == 422 and "member_id" in bad.get_json()["error"]["fields"]


def test_candidacy_changed_reaches_the_organisations_members(
    elections, people, world, session, socket_client, app
):
    election = elections.create()
    elections.as_(world.member)
    listener = socket_client()
    elections.as_(people.anna)
    elections.auth.post(
        f"/elections/{election.id}/nominate", {"nominee": people.anna.id}
    )
    events = _events(listener.get_received(), "candidacy_changed")
    assert len(events) == 1
    assert events[0]["election_id"] == election.id


def test_organiser_form_keeps_input_on_errors(elections, world, client):
    elections.as_(world.organiser)
    response = elections.auth.post(
        "/elections/new",
        {
            "org": world.nord.id,
            "title": "Beisitz",
            "office": "Beisitzer:innen",
            "seats": "3",
            "method": "single",
            "runoff": "top_two",
            "min_yes_percent": "50",
            "quota_percent": "40",
            "nominations_open_at": "2027-01-10T10:00",
            "nominations_close_at": "2027-01-01T10:00",
            "meeting_id": "",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Einzelwahl vergibt genau einen Sitz." in page
    assert "Das Ende der Vorschlagsfrist muss nach ihrem Beginn liegen." in page
    assert 'value="Beisitzer:innen"' in page and 'value="2027-01-10T10:00"' in page


def test_plain_members_cannot_create_elections(elections, world, client):
    elections.as_(world.member)
    assert client.get("/elections/new").status_code == 404
    page = client.get("/elections/").get_data(as_text=True)
    assert "Neue Wahl" not in page


def test_unknown_member_cannot_be_nominated(elections, world, session, app):
    election = elections.create()
    with app.app_context():
        outsider = make_member(session, world.sued, first_name="Außen")
        session.commit()
    elections.as_(world.member)
    response = elections.auth.post(
        f"/elections/{election.id}/nominate", {"nominee": outsider.id}
    )
    assert response.status_code == 302
    fresh(session)
    assert session.scalars(select(Candidacy)).all() == []


def test_openapi_documents_the_election_routes(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    expected = {
        "/api/v1/elections": {"get"},
        "/api/v1/elections/{election_id}": {"get"},
        "/api/v1/elections/{election_id}/results": {"get"},
        "/api/v1/elections/{election_id}/candidacies": {"post"},
        "/api/v1/candidacies/{candidacy_id}/consent": {"post"},
    }
    for path, methods in expected.items():
        assert set(spec["paths"][path]) >= methods, path
    assert {"Election", "ElectionResult", "Candidacy", "Nomination"} <= set(
        spec["components"]["schemas"]
    )


def test_organiser_edits_until_the_list_is_closed(elections, people, world, session):
    from models import Election

    election = elections.create()
    page = elections.client.get(f"/elections/{election.id}/edit").get_data(True)
    assert 'value="Vorsitz 2027"' in page and 'value="§ 11 Satzung"' in page
    form = {
        "org": world.nord.id,
        "title": "Vorsitz 2027/28",
        "office": "Vorsitz",
        "seats": "1",
        "method": "single",
        "runoff": "plain",
        "min_yes_percent": "50",
        "quota_percent": "0",
        "nominations_open_at": "2026-01-01T10:00",
        "nominations_close_at": "2099-01-01T10:00",
        "meeting_id": "",
    }
    response = elections.auth.post(f"/elections/{election.id}/edit", form)
    assert response.status_code == 302
    fresh(session)
    saved = session.get(Election, election.id)
    assert saved.title == "Vorsitz 2027/28" and saved.runoff.value == "plain"
    assert saved.secret is False  # the box was left unticked
    elections.stand(election, people.anna)
    elections.close_nominations(election)
    refused = elections.auth.post(
        f"/elections/{election.id}/edit", form, follow_redirects=True
    )
    assert "lässt sich die Wahl nicht ändern" in refused.get_data(as_text=True)
