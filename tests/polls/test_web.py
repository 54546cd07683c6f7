"""Poll pages and API through the Flask test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from models import Poll
from tests.factories import (
    PASSWORD,
    ballot_lines,
    close_now,
    fresh,
    make_poll,
    stored_ballots,
)


def _token(client, member):
    return client.post(
        "/api/v1/auth/token", json={"email": member.email, "password": PASSWORD}
    ).get_json()["token"]


def test_member_votes_sees_receipt_and_already_voted(world, session, auth, client):
    poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.member)
    page = client.get(f"/polls/{poll.id}/vote").get_data(as_text=True)
    assert "Diese Abstimmung ist geheim" in page and "endgültig" in page
    no_confirm = auth.post(f"/polls/{poll.id}/vote", {"choice": poll.options[0].id})
    assert no_confirm.status_code == 422
    assert "Bitte bestätige" in no_confirm.get_data(as_text=True)
    assert f'value="{poll.options[0].id}" checked' in no_confirm.get_data(as_text=True)
    done = auth.post(
        f"/polls/{poll.id}/vote", {"choice": poll.options[0].id, "confirm": "y"}
    )
    receipt = re.search(
        r'id="receipt-code"[^>]*value="([A-Z2-7-]{29})"', done.get_data(as_text=True)
    )
    assert done.status_code == 200 and receipt
    again = client.get(f"/polls/{poll.id}/vote", follow_redirects=True)
    assert "Du hast bereits abgestimmt" in again.get_data(as_text=True)
    again = auth.post(
        f"/polls/{poll.id}/vote",
        {"choice": poll.options[1].id, "confirm": "y"},
        follow_redirects=True,
    )
    assert "Du hast bereits abgestimmt" in again.get_data(as_text=True)
    fresh(session)
    assert stored_ballots(session, poll.id) == 1
    close_now(session, poll)
    checked = auth.post(f"/polls/{poll.id}/ballot-box", {"code": receipt.group(1)})
    assert "Deine Stimme liegt in der Urne" in checked.get_data(as_text=True)
    results = client.get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Der Antrag ist angenommen." in results and "<svg" in results
    assert "1 (100 %)</span>" in results  # the bar's share, as the locale writes it


def test_a_single_choice_decided_by_lot_says_so(world, session, auth, client):
    """Found in review: a tie at the top of a single-choice poll named a winner
    without saying that the lot decided; only ranked polls said it."""
    from polls import casting

    poll = make_poll(
        session, world.nord, world.organiser, kind="single_choice", options=("A", "B")
    )
    with client.application.test_request_context():
        casting.cast(session, poll, world.member, [poll.options[0].id])
        casting.cast(session, poll, world.board, [poll.options[1].id])
    close_now(session, poll)
    auth.login(world.member)
    page = client.get(f"/polls/{poll.id}/results").get_data(as_text=True)
    assert "Gewählt ist:" in page and "Gleichstand an der Spitze: Das Los" in page


def test_yes_no_options_and_rules_read_in_the_members_language(
    world, session, auth, client
):
    """Yes/no/abstain are stored in German (the record) and shown translated; a rule
    preset names its majority in words, not as a code."""
    from decimal import Decimal

    from polls.presets import create_preset

    poll = make_poll(session, world.nord, world.organiser)
    world.member.locale = "en"
    session.commit()
    auth.login(world.member)
    ballot = client.get(f"/polls/{poll.id}/vote").get_data(as_text=True)
    for label in ("Yes", "No", "Abstain"):
        assert f"<span>{label}</span></label>" in ballot
    assert "<span>Ja</span></label>" not in ballot
    auth.logout()
    with client.application.test_request_context():
        create_preset(
            session,
            world.organiser,
            world.nord.id,
            "Entscheid",
            Decimal(20),
            "two_thirds",
            "",
        )
    session.commit()
    auth.login(world.organiser)
    presets = client.get("/polls/presets").get_data(as_text=True)
    assert "Zwei-Drittel-Mehrheit" in presets and "two_thirds</li>" not in presets


def test_ranked_ballot_from_the_form(app, world, session, auth, client):
    poll = make_poll(
        session, world.nord, world.organiser, kind="ranked", options=("A", "B", "C")
    )
    a, b, c = (o.id for o in poll.options)
    auth.login(world.member)
    twice = auth.post(
        f"/polls/{poll.id}/vote", {f"rank-{a}": "1", f"rank-{b}": "1", "confirm": "y"}
    )
    assert "Jeder Rang darf nur einmal vergeben werden." in twice.get_data(as_text=True)
    auth.post(
        f"/polls/{poll.id}/vote", {f"rank-{c}": "1", f"rank-{a}": "2", "confirm": "y"}
    )
    fresh(session)
    assert ballot_lines(app, session, poll) == [f"[{c},{a}]"]


def test_organiser_creates_schedules_and_extends(world, session, auth, client):
    auth.login(world.organiser)
    data = {
        "org": str(world.nord.id),
        "title": "Neue Frage",
        "body": "Text",
        "kind": "single_choice",
        "options": "Eins\nZwei",
        "secret": "y",
        "opens_at": "2030-01-01T10:00",
        "closes_at": "2029-01-01T10:00",
        "preset": "",
        "quorum_percent": "10",
        "majority": "simple",
        "min_choices": "0",
        "max_choices": "1",
        "repeat": "none",
    }
    bad = auth.post("/polls/new", data)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert (
        "Das Ende muss nach dem Beginn liegen." in page and 'value="Neue Frage"' in page
    )
    ok = auth.post("/polls/new", {**data, "closes_at": "2030-01-08T10:00"})
    poll_id = int(ok.headers["Location"].rsplit("/", 1)[1])
    auth.post(f"/polls/{poll_id}/schedule")
    fresh(session)
    poll = session.get(Poll, poll_id)
    assert poll.scheduled and poll.opens_at.hour == 9  # 10:00 in Berlin is 09:00 UTC
    auth.post(f"/polls/{poll_id}/extend", {"closes_at": "2030-01-09T10:00"})
    fresh(session)
    assert session.get(Poll, poll_id).closes_at.day == 9


def _poll_form(org, **changes) -> dict:
    return {
        "org": str(org.id),
        "title": "Neue Frage",
        "body": "Text",
        "kind": "yes_no_abstain",
        "options": "",
        "secret": "y",
        "opens_at": "2030-01-01T10:00",
        "closes_at": "2030-01-08T10:00",
        "preset": "",
        "quorum_percent": "0",
        "majority": "simple",
        "min_choices": "0",
        "max_choices": "1",
        "repeat": "none",
        **changes,
    }


def _preset(session, member, org, name, reference):
    from decimal import Decimal

    from polls.presets import create_preset

    with session.info["app"].test_request_context():
        preset = create_preset(
            session, member, org.id, name, Decimal(20), "simple", reference
        )
    session.commit()
    return preset


def test_organiser_edits_a_draft_and_its_rule_stays(world, session, auth, client):
    """The edit form has no organisation field (a draft keeps its own) and shows
    the rule the draft carries, so saving changes only what was changed."""
    preset = _preset(
        session, world.organiser, world.nord, "Mitgliederentscheid", "§ 13 Satzung"
    )
    auth.login(world.organiser)
    created = auth.post("/polls/new", _poll_form(world.nord, preset=str(preset.id)))
    poll_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/polls/{poll_id}/edit").get_data(as_text=True)
    assert f'<option selected value="{preset.id}">' in page
    form = _poll_form(world.nord, title="Geänderte Frage", preset=str(preset.id))
    del form["org"]  # not on the edit form
    saved = auth.post(f"/polls/{poll_id}/edit", form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    fresh(session)
    poll = session.get(Poll, poll_id)
    assert poll.title == "Geänderte Frage" and poll.organisation_id == world.nord.id
    assert poll.statute_reference == "§ 13 Satzung" and poll.quorum_percent == 20
    refused = auth.post(f"/polls/{poll_id}/edit", {**form, "title": ""})
    assert refused.status_code == 422
    assert "Text</textarea>" in refused.get_data(as_text=True)  # nothing typed lost


def test_a_rule_of_another_organisation_is_refused(world, session, auth, client):
    """An organiser of two branches sees the rules of both; one of OV Süd does not
    hold for a poll of OV Nord, and is refused by name instead of ignored."""
    from models import Role, RoleName

    session.add(Role(member=world.organiser, organisation=world.sued, role="organiser"))
    session.commit()
    assert RoleName.ORGANISER.value == "organiser"
    sued_rule = _preset(session, world.organiser, world.sued, "Süd-Regel", "§ 2")
    auth.login(world.organiser)
    response = auth.post("/polls/new", _poll_form(world.nord, preset=str(sued_rule.id)))
    assert response.status_code == 422
    assert "Diese Regel gilt nicht für die gewählte Gliederung" in response.get_data(
        as_text=True
    )
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Poll)) == 0


def test_the_all_tab_lists_every_state_and_drafts_wait_under_planned(
    world, session, auth, client
):
    open_poll = make_poll(session, world.nord, world.organiser)
    closed = make_poll(session, world.nord, world.organiser)
    close_now(session, closed)
    session.execute(
        Poll.__table__.update().where(Poll.id == closed.id).values(title="Vorbei")
    )
    late_draft = make_poll(
        session, world.nord, world.organiser, scheduled=False, opens_in=-7200
    )
    session.execute(
        Poll.__table__.update()
        .where(Poll.id == late_draft.id)
        .values(title="Liegengeblieben")
    )
    session.commit()
    auth.login(world.organiser)
    every = client.get("/polls/?state=all").get_data(as_text=True)
    assert "Vorbei" in every and "Liegengeblieben" in every
    assert open_poll.title in every
    assert 'aria-current="page">alle' in every
    planned = client.get("/polls/?state=upcoming").get_data(as_text=True)
    assert "Liegengeblieben" in planned and "Vorbei" not in planned


@pytest.mark.parametrize(
    "kind, options",
    [
        ("yes_no_abstain", ("Ja", "Nein", "Enthaltung")),
        ("single_choice", ("A", "B")),
        ("multiple_choice", ("A", "B", "C")),
        ("ranked", ("A", "B", "C")),
    ],
)
def test_a_ballot_is_blank_only_when_the_member_says_so(
    app, world, session, auth, kind, options
):
    """A ballot is final: a form sent with nothing chosen is refused with a message,
    and a blank ballot needs the explicit "blank" choice (not for yes/no/abstain,
    where abstaining is an option)."""
    poll = make_poll(
        session, world.nord, world.organiser, kind=kind, options=options, max_choices=2
    )
    auth.login(world.member)
    url = f"/polls/{poll.id}/vote"
    nothing = auth.post(url, {"confirm": "y"})
    assert nothing.status_code == 422
    text = nothing.get_data(as_text=True)
    assert "Bitte wähle Ja, Nein oder Enthaltung." in text or (
        "Du hast keine Option gewählt" in text
    )
    fresh(session)
    assert stored_ballots(session, poll.id) == 0
    blank = {"choice": "blank"} if kind == "single_choice" else {"blank": "blank"}
    if kind == "yes_no_abstain":
        assert "Leere Stimme" not in text
        return
    first = poll.options[0].id
    chosen = {"choice": first, "choices": first, f"rank-{first}": "1"}
    if kind != "single_choice":  # a radio cannot send both
        both = auth.post(url, {**chosen, **blank, "confirm": "y"})
        assert both.status_code == 422
        assert "zugleich eine leere Stimme" in both.get_data(as_text=True)
    done = auth.post(url, {**blank, "confirm": "y"})
    assert done.status_code == 200 and 'id="receipt-code"' in done.get_data(
        as_text=True
    )
    fresh(session)
    assert ballot_lines(app, session, poll) == ["[]"]


def test_a_member_outside_the_electorate_is_not_invited_to_vote(
    world, session, auth, client
):
    """Someone who joined after the poll opened sees it, but neither the list nor
    the ballot page offers a ballot: the poll's page says why, before any effort."""
    from tests.factories import make_member

    poll = make_poll(session, world.nord, world.organiser)
    auth.login(world.member)
    assert "Abstimmen" in client.get("/polls/").get_data(as_text=True)
    client.get(f"/polls/{poll.id}")  # opened: the electorate is frozen now
    auth.logout()
    with client.application.app_context():
        newcomer = make_member(session, world.nord, email="neu@example.org")
    session.commit()
    auth.login(newcomer)
    listing = client.get("/polls/").get_data(as_text=True)
    assert poll.title in listing and ">Abstimmen<" not in listing
    ballot = client.get(f"/polls/{poll.id}/vote", follow_redirects=True)
    page = ballot.get_data(as_text=True)
    assert "nicht zu den Stimmberechtigten" in page
    assert "Stimme verbindlich abgeben" not in page


def test_drafts_are_invisible_to_members(world, session, auth, client):
    draft = make_poll(session, world.nord, world.organiser, scheduled=False)
    auth.login(world.member)
    assert client.get(f"/polls/{draft.id}").status_code == 404
    assert "Frage" not in client.get("/polls/?state=all").get_data(as_text=True)


@pytest.mark.parametrize(
    "role", ["member", "organiser", "board", "admin", "sued_member"]
)
def test_no_counts_anywhere_while_open(world, session, auth, client, role):
    poll = make_poll(
        session, world.nord, world.organiser, options=("Ja", "Nein", "Enthaltung")
    )
    from polls import casting

    with client.application.test_request_context():
        for voter in (world.member, world.board, world.admin):
            casting.cast(session, poll, voter, [poll.options[0].id])
    actor = getattr(world, role)
    auth.login(actor)
    pages = [
        f"/polls/{poll.id}",
        f"/polls/{poll.id}/results",
        "/polls/",
        f"/polls/{poll.id}/ballot-box",
        f"/polls/{poll.id}/vote",
        "/",
    ]
    for path in pages:
        body = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "Stimmen je Option" not in body and '<svg class="chart"' not in body
        assert '"counts"' not in body
    headers = {"Authorization": f"Bearer {_token(client, actor)}"}
    for path in (
        f"/api/v1/polls/{poll.id}",
        f"/api/v1/polls/{poll.id}/results",
        f"/api/v1/polls/{poll.id}/ballot-box",
        "/api/v1/polls",
    ):
        response = client.get(path, headers=headers)
        body = response.get_json()
        assert "counts" not in str(body) and 'ballots": [' not in str(body)
        if path.endswith(("results", "ballot-box")):
            assert response.status_code in (404, 409)
            if response.status_code == 409:
                assert body["error"]["code"] == "poll_not_closed"


def test_api_vote_flow_and_errors(world, session, client):
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="multiple_choice",
        options=("A", "B", "C"),
        max_choices=2,
    )
    headers = {"Authorization": f"Bearer {_token(client, world.member)}"}
    listed = client.get("/api/v1/polls?state=open", headers=headers).get_json()
    assert [p["id"] for p in listed["items"]] == [poll.id]
    assert listed["items"][0]["voted"] is False and listed["next"] is None
    url = f"/api/v1/polls/{poll.id}/ballots"
    ids = [o.id for o in poll.options]
    too_many = client.post(url, json={"choices": ids}, headers=headers)
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "invalid_ballot"
    assert "höchstens 2" in too_many.get_json()["error"]["message"]
    assert client.post(url, json={"choices": "A"}, headers=headers).status_code == 422
    ok = client.post(url, json={"choices": ids[:2]}, headers=headers)
    assert ok.status_code == 201 and len(ok.get_json()["receipt"]) == 29
    again = client.post(url, json={"choices": ids[:1]}, headers=headers)
    assert (
        again.status_code == 409
        and again.get_json()["error"]["code"] == "already_voted"
    )
    detail = client.get(f"/api/v1/polls/{poll.id}", headers=headers).get_json()
    assert detail["voted"] is True and detail["ballots_cast"] == 1
    assert detail["electorate_size"] == 4 and len(detail["electorate_hash"]) == 64
    other = {"Authorization": f"Bearer {_token(client, world.sued_member)}"}
    assert client.get(f"/api/v1/polls/{poll.id}", headers=other).status_code == 404
    assert client.post(url, json={"choices": []}, headers=other).status_code == 404
    close_now(session, poll)
    results = client.get(f"/api/v1/polls/{poll.id}/results", headers=headers).get_json()
    assert results["ballots"] == 1 and results["digest"]
    box = client.get(f"/api/v1/polls/{poll.id}/ballot-box", headers=headers).get_json()
    assert box["ballots"] == [sorted(ids[:2])] and len(box["receipts"]) == 1


def test_api_ballot_after_the_poll_closed_early_is_refused(world, session, client):
    """Between ballots a process remembers what casting needs of an open poll; that
    it is open is still checked in the database. A poll closed meanwhile (a meeting
    vote closed by its chair, or another process whose clock ran on) refuses the
    next ballot with poll_not_open and writes nothing; the results then follow."""
    poll = make_poll(session, world.nord, world.organiser)
    url = f"/api/v1/polls/{poll.id}/ballots"
    first = {"Authorization": f"Bearer {_token(client, world.member)}"}
    second = {"Authorization": f"Bearer {_token(client, world.organiser)}"}
    yes = poll.options[0].id
    assert client.post(url, json={"choices": [yes]}, headers=first).status_code == 201
    close_now(session, poll)
    late = client.post(url, json={"choices": [yes]}, headers=second)
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "poll_not_open"
    fresh(session)
    assert stored_ballots(session, poll.id) == 1
    results = client.get(f"/api/v1/polls/{poll.id}/results", headers=second)
    assert results.status_code == 200 and results.get_json()["ballots"] == 1


def test_api_create_poll_needs_the_organiser_role(world, client):
    body = {
        "org_id": world.nord.id,
        "title": "API-Frage",
        "kind": "yes_no_abstain",
        "opens_at": "2030-01-01T10:00:00+01:00",
        "closes_at": "2030-01-08T10:00:00+01:00",
    }
    member = {"Authorization": f"Bearer {_token(client, world.member)}"}
    assert client.post("/api/v1/polls", json=body, headers=member).status_code == 404
    orga = {"Authorization": f"Bearer {_token(client, world.organiser)}"}
    created = client.post("/api/v1/polls", json=body, headers=orga)
    assert created.status_code == 201
    assert created.get_json()["status"] == "scheduled"
    assert [o["label"] for o in created.get_json()["options"]] == [
        "Ja",
        "Nein",
        "Enthaltung",
    ]
    bad = client.post("/api/v1/polls", json={**body, "kind": "x"}, headers=orga)
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]


def _poll_for(session, world, field):
    if field == "rank":
        return make_poll(
            session, world.nord, world.organiser, kind="ranked", options=("A", "B")
        )
    if field == "choices":
        return make_poll(
            session,
            world.nord,
            world.organiser,
            kind="multiple_choice",
            options=("A", "B"),
            max_choices=2,
        )
    return make_poll(session, world.nord, world.organiser)


@pytest.mark.parametrize(
    "field,value",
    [
        ("choice", "²"),
        ("choice", "9" * 5000),
        ("choices", "²"),
        ("rank", "²"),
        ("rank", "9" * 5000),
    ],
)
def test_odd_ballot_forms_never_give_a_500(world, session, auth, field, value):
    poll = _poll_for(session, world, field)
    name = f"rank-{poll.options[0].id}" if field == "rank" else field
    auth.login(world.member)
    response = auth.post(f"/polls/{poll.id}/vote", {name: value, "confirm": "y"})
    assert response.status_code in (200, 302, 422)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "a\x00b"},
        {"options": ["a\x00", "b"], "kind": "single_choice"},
        {"org_id": 10**12},
        {"preset_id": 10**12},
        {"opens_at": "0001-01-01T00:00:00+01:00"},
        {"closes_at": "9999-12-31T23:59:00+01:00"},
        {"max_choices": 10**12},
        {"quorum_percent": "NaN"},
    ],
)
def test_odd_poll_json_never_gives_a_500(world, client, change):
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.organiser.email, "password": PASSWORD},
    ).get_json()["token"]
    body = {
        "org_id": world.nord.id,
        "title": "T",
        "kind": "yes_no_abstain",
        "opens_at": "2030-01-01T10:00:00+01:00",
        "closes_at": "2030-01-08T10:00:00+01:00",
        **change,
    }
    response = client.post(
        "/api/v1/polls", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (404, 422), (change, response.status_code)


def test_odd_poll_form_keeps_the_page(world, auth):
    auth.login(world.organiser)
    data = {
        "org": str(world.nord.id),
        "title": "T",
        "kind": "yes_no_abstain",
        "opens_at": "0001-01-01T00:00",
        "closes_at": "9999-12-31T23:59",
        "quorum_percent": "sNaN",
        "majority": "simple",
        "repeat": "none",
        "preset": "",
    }
    response = auth.post("/polls/new", data)
    assert response.status_code == 422
    assert "zwischen 2000 und 2200" in response.get_data(as_text=True)


def test_refused_api_poll_leaves_no_draft(world, session, client):
    token = client.post(
        "/api/v1/auth/token",
        json={"email": world.organiser.email, "password": PASSWORD},
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/polls",
        headers=headers,
        json={
            "org_id": world.nord.id,
            "title": "T",
            "kind": "yes_no_abstain",
            "opens_at": "2020-01-01T10:00:00+01:00",
            "closes_at": "2020-01-08T10:00:00+01:00",
        },
    )
    assert response.status_code == 422
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Poll)) == 0


def test_a_large_ballot_box_is_listed_in_part_and_streamed_whole(
    world, app, session, auth, client, monkeypatch
):
    """The page lists the first ballots and receipts and says how many there are;
    the API streams the whole box in pieces (here of two rows) as one valid JSON
    document, in the published order."""
    import json

    from polls import ballot_box, ballot_views, casting

    poll = make_poll(session, world.nord, world.organiser)
    yes, no, _abstain = (o.id for o in poll.options)
    with app.test_request_context():
        codes = [
            casting.cast(session, poll, m, [c])
            for m, c in [(world.member, no), (world.board, yes), (world.organiser, no)]
        ]
    close_now(session, poll)
    monkeypatch.setattr(ballot_views, "BOX_PAGE", 2)
    monkeypatch.setattr(ballot_box, "CHUNK", 2)

    auth.login(world.member)
    page = client.get(f"/polls/{poll.id}/ballot-box").get_data(as_text=True)
    assert "Stimmzettel (3)" in page and "Quittungen (3)" in page
    # two of three receipts listed
    assert page.count('<li><code class="receipt-hash"') == 2
    assert f"/api/v1/polls/{poll.id}/ballot-box" in page

    headers = {"Authorization": f"Bearer {_token(client, world.member)}"}
    response = client.get(f"/api/v1/polls/{poll.id}/ballot-box", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    box = json.loads(response.get_data(as_text=True))
    assert box["ballots"] == sorted([[no], [yes], [no]], key=json.dumps)
    assert box["receipts"] == sorted(casting.receipt_hash(c) for c in codes)
    fresh(session)
    closed = session.get(Poll, poll.id)
    assert box["digest"] == closed.ballot_digest
    assert box["receipts_digest"] == closed.receipts_digest
