"""Yes/no/abstain for each option (the Listenwahl ballot) through the Flask test
client, on SQLite and PostgreSQL: the ballot page, what is sealed, the receipt,
the result, the published box, the API and the exports."""

from __future__ import annotations

import csv
import io
import json
import re

from polls.rules import InvalidBallot, PollDefinition, check_ballot
from tests.factories import PASSWORD, ballot_lines, close_now, fresh, make_poll


def _each_poll(session, world, **kw):
    return make_poll(
        session,
        world.nord,
        world.organiser,
        kind="yes_no_abstain_each",
        options=("Anna", "Ben", "Cem"),
        **kw,
    )


def _receipt(response) -> str:
    found = re.search(
        r'id="receipt-code"[^>]*value="([A-Z2-7-]{29})"', response.get_data(True)
    )
    assert found, response.get_data(True)[:2000]
    return found.group(1)


def test_the_ballot_asks_each_option_and_an_unanswered_one_abstains(
    app, world, session, auth, client
):
    poll = _each_poll(session, world)
    anna, ben, cem = (o.id for o in poll.options)
    auth.login(world.member)
    page = client.get(f"/polls/{poll.id}/vote").get_data(as_text=True)
    # a fieldset per option, three labelled radio buttons in each, no script
    assert page.count('<fieldset class="choice-list choice-list--each"') == 3
    assert page.count(f'name="answer-{ben}"') == 3
    assert "<legend>Ben</legend>" in page
    assert "Wo du nichts ankreuzt, zählt das als Enthaltung" in page

    nothing = auth.post(f"/polls/{poll.id}/vote", {"confirm": "y"})
    assert nothing.status_code == 422
    assert "bei keiner Option etwas angekreuzt" in nothing.get_data(True)
    # without the confirmation the answers given stay filled in
    unconfirmed = auth.post(
        f"/polls/{poll.id}/vote", {f"answer-{anna}": "yes", f"answer-{cem}": "no"}
    )
    assert unconfirmed.status_code == 422
    text = unconfirmed.get_data(True)
    assert f'name="answer-{anna}" value="yes" checked' in text
    assert f'name="answer-{cem}" value="no" checked' in text
    assert f'name="answer-{ben}" value="abstain" checked' not in text

    # Ben is left unanswered: an abstention
    done = auth.post(
        f"/polls/{poll.id}/vote",
        {f"answer-{anna}": "yes", f"answer-{cem}": "no", "confirm": "y"},
    )
    code = _receipt(done)
    fresh(session)
    # the canonical line: yes as the option id, no negated, abstain left out
    assert ballot_lines(app, session, poll) == [f"[{anna},-{cem}]"]

    auth.logout()
    auth.login(world.board)
    all_abstain = auth.post(
        f"/polls/{poll.id}/vote",
        {f"answer-{o}": "abstain" for o in (anna, ben, cem)} | {"confirm": "y"},
    )
    _receipt(all_abstain)  # said on purpose: a ballot, blank for every option
    auth.logout()
    auth.login(world.organiser)
    odd = auth.post(
        f"/polls/{poll.id}/vote",
        {f"answer-{anna}": "maybe", f"answer-{ben}": "no", "confirm": "y"},
    )
    _receipt(odd)  # an answer that is none of the three is no answer: abstain

    fresh(session)
    close_now(session, poll)
    checked = auth.post(f"/polls/{poll.id}/ballot-box", {"code": code})
    box = checked.get_data(True)
    assert "Deine Stimme liegt in der Urne" in box
    assert "Anna: Ja · Ben: Enthaltung · Cem: Nein" in box
    results = client.get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Ja, Nein und Enthaltung je Option" in results
    assert "Die meisten Ja-Stimmen erhält Anna: 1 von 3 Stimmzetteln." in results
    rows = re.findall(
        r"<tr><th scope=\"row\">(\w+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>",
        results,
    )
    assert rows == [
        ("Anna", "1", "0", "2"),
        ("Ben", "0", "1", "2"),
        ("Cem", "0", "1", "2"),
    ]


def test_api_ballot_by_votes_results_box_and_exports(world, session, client, auth):
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.organiser.email, "password": PASSWORD},
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/v1/polls",
        json={
            "org_id": world.nord.id,
            "title": "Beisitz",
            "kind": "yes_no_abstain_each",
            "options": ["Anna", "Ben"],
            "opens_at": "2020-01-01T00:00:00+00:00",
            "closes_at": "2099-01-01T00:00:00+00:00",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    poll_id = created.get_json()["id"]
    anna, ben = (o["id"] for o in created.get_json()["options"])
    url = f"/api/v1/polls/{poll_id}/ballots"
    bad = client.post(url, json={"votes": {str(anna): "maybe"}}, headers=headers)
    assert bad.status_code == 422
    assert "yes, no, abstain" in json.dumps(bad.get_json()["error"]["fields"])
    both = client.post(
        url, json={"votes": {str(anna): "yes"}, "choices": [anna]}, headers=headers
    )
    assert both.status_code == 422
    twice = client.post(url, json={"choices": [anna, -anna]}, headers=headers)
    assert twice.get_json()["error"]["code"] == "invalid_ballot"
    stranger = client.post(url, json={"votes": {"999999": "yes"}}, headers=headers)
    assert stranger.get_json()["error"]["code"] == "invalid_ballot"
    ok = client.post(
        url, json={"votes": {str(anna): "no", str(ben): "yes"}}, headers=headers
    )
    assert ok.status_code == 201 and len(ok.get_json()["receipt"]) == 29

    fresh(session)
    from models import Poll

    close_now(session, session.get(Poll, poll_id))
    results = client.get(f"/api/v1/polls/{poll_id}/results", headers=headers)
    body = results.get_json()
    assert body["kind"] == "yes_no_abstain_each" and body["ballots"] == 1
    assert body["answers"] == {
        str(anna): {"yes": 0, "no": 1, "abstain": 0},
        str(ben): {"yes": 1, "no": 0, "abstain": 0},
    }
    assert body["counts"] == {str(anna): 0, str(ben): 1}  # the yes votes
    box = client.get(f"/api/v1/polls/{poll_id}/ballot-box", headers=headers)
    assert box.get_json()["ballots"] == [[-anna, ben]]

    auth.login(world.board)
    result_csv = client.get(f"/polls/{poll_id}/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(result_csv.lstrip("\ufeff")), delimiter=";"))
    assert ["Option", "Ja", "Nein", "Enthaltung"] in rows
    assert ["Anna", "0", "1", "0"] in rows and ["Ben", "1", "0", "0"] in rows
    ballots = client.get(f"/polls/{poll_id}/export.ballots.csv").get_data(True)
    assert "Anna: Nein · Ben: Ja" in ballots
    record = json.loads(client.get(f"/polls/{poll_id}/export.json").get_data(True))
    assert record["ballots"] == [[-anna, ben]] and record["verified"] is True
    pdf = client.get(f"/polls/{poll_id}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_votes_are_refused_for_another_kind(world, session, client):
    poll = make_poll(session, world.nord, world.organiser)
    token = client.post(
        "/api/v1/auth/token", json={"email": world.member.email, "password": PASSWORD}
    ).get_json()["token"]
    refused = client.post(
        f"/api/v1/polls/{poll.id}/ballots",
        json={"votes": {str(poll.options[0].id): "yes"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "invalid_ballot"


def test_check_ballot_rules_for_each_option():
    definition = PollDefinition("yes_no_abstain_each", (3, 5, 8), 10)
    assert check_ballot(definition, [-8, 3]) == (3, -8)
    assert check_ballot(definition, []) == ()
    for bad, rule in (([5, -5], "duplicate_option"), ([4], "unknown_option")):
        try:
            check_ballot(definition, bad)
        except InvalidBallot as err:
            assert err.rule == rule
        else:
            raise AssertionError(f"{bad} was accepted")


def test_organiser_defines_such_a_poll_through_the_form(world, session, auth, client):
    from models import Poll

    auth.login(world.organiser)
    step = client.get("/polls/new").get_data(as_text=True)
    assert "Ja / Nein / Enthaltung je Option" in step
    form = client.get("/polls/new?kind=yes_no_abstain_each").get_data(as_text=True)
    assert re.search(r'<(?:div|fieldset) data-kind-field="options">', form)
    assert re.search(r'<(?:div|fieldset) data-kind-field="min_choices" hidden>', form)
    data = {
        "org": str(world.nord.id),
        "title": "Beisitz",
        "body": "",
        "kind": "yes_no_abstain_each",
        "options": "Anna\nBen\nCem",
        "secret": "y",
        "opens_at": "2030-01-01T10:00",
        "closes_at": "2030-01-08T10:00",
        "preset": "",
        "quorum_percent": "0",
        "majority": "simple",
        "min_choices": "0",
        "max_choices": "1",
        "repeat": "none",
    }
    one = auth.post("/polls/new", {**data, "options": "Anna"})
    assert one.status_code == 422
    assert "mindestens zwei Optionen" in one.get_data(as_text=True)
    ok = auth.post("/polls/new", data)
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    fresh(session)
    poll = session.get(Poll, int(ok.headers["Location"].rsplit("/", 1)[1]))
    assert poll.kind.value == "yes_no_abstain_each"
    assert [o.label for o in poll.options] == ["Anna", "Ben", "Cem"]
