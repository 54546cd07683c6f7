"""The poll pages as a member reads them on a phone (issue 22): the result in one
sentence before any number, the ballot box leading with the receipt check, a poll
form that shows only what its kind needs and names every mistake at once, a ranked
ballot that names a duplicated rank, and downloads with German file names."""

from __future__ import annotations

import re

from polls import casting
from tests.factories import close_now, make_poll


def _cast(client, session, poll, votes):
    with client.application.test_request_context():
        for member, choices in votes:
            casting.cast(session, poll, member, choices)


def _main(page: str) -> str:
    return page.split("<main", 1)[1]


def _before(page: str, first: str, then: str) -> bool:
    return 0 <= page.index(first) < page.index(then)


def test_a_yes_no_result_says_who_won_in_a_sentence_before_the_numbers(
    world, session, auth, client
):
    poll = make_poll(session, world.nord, world.organiser)
    yes, no, _abstain = poll.options
    _cast(
        client,
        session,
        poll,
        [(world.member, [yes.id]), (world.board, [yes.id]), (world.organiser, [no.id])],
    )
    close_now(session, poll)
    auth.login(world.member)
    page = _main(client.get(f"/polls/{poll.id}/results").get_data(as_text=True))
    sentence = "Ja gewinnt mit 66,7 % der Ja- und Nein-Stimmen."
    assert sentence in page
    assert _before(page, sentence, "Stimmberechtigte")
    assert _before(page, sentence, 'class="bars"')
    # every option a bar whose length is its share
    assert page.count('class="bars__fill" width="66.7"') == 1
    assert 'class="bars__fill" width="33.3"' in page
    assert "Kein Quorum vorgeschrieben; abgestimmt haben 3 von" in page


def test_a_ranked_result_names_the_condorcet_winner_and_folds_the_matrices(
    world, session, auth, client
):
    poll = make_poll(
        session, world.nord, world.organiser, kind="ranked", options=("A", "B", "C")
    )
    a, b, c = (o.id for o in poll.options)
    _cast(
        client,
        session,
        poll,
        [
            (world.member, [b, a, c]),
            (world.board, [b, c, a]),
            (world.organiser, [a, b, c]),
        ],
    )
    close_now(session, poll)
    auth.login(world.member)
    page = _main(client.get(f"/polls/{poll.id}/results").get_data(as_text=True))
    assert "B gewinnt jeden direkten Vergleich." in page
    assert _before(page, "B gewinnt jeden direkten Vergleich.", "d[X,Y]")
    folded = re.search(r'<details class="matrices">(.*?)</details>', page, re.S)
    assert folded and "d[X,Y]" in folded.group(1) and "p[X,Y]" in folded.group(1)
    # B beats A 2:1 – coloured as a win in B's row, as a loss in A's
    assert '<td class="matrix__win">2<' in folded.group(1)
    assert '<td class="matrix__loss">1<' in folded.group(1)
    assert "Erstpräferenzen" in page


def test_a_single_choice_without_majority_says_who_leads(world, session, auth, client):
    poll = make_poll(
        session,
        world.nord,
        world.organiser,
        kind="single_choice",
        options=("Rot", "Grün", "Blau"),
        majority="absolute",
    )
    r, g, b = (o.id for o in poll.options)
    _cast(
        client,
        session,
        poll,
        [(world.member, [r]), (world.board, [g]), (world.organiser, [b])],
    )
    close_now(session, poll)
    auth.login(world.member)
    page = _main(client.get(f"/polls/{poll.id}/results").get_data(as_text=True))
    assert "Keine Option hat die nötige Mehrheit; vorn liegt" in page
    assert "33,3 % der gültigen Stimmen" in page


def test_the_ballot_box_leads_with_the_receipt_check_and_folds_the_lists(
    world, session, auth, client
):
    poll = make_poll(session, world.nord, world.organiser)
    with client.application.test_request_context():
        code = casting.cast(session, poll, world.member, [poll.options[0].id])
    close_now(session, poll)
    auth.login(world.member)
    page = _main(client.get(f"/polls/{poll.id}/ballot-box").get_data(as_text=True))
    assert _before(page, "Quittung prüfen", "Für Nachzählende")
    assert _before(page, 'name="code"', '<details class="ballot-lists">')
    digest = casting.receipt_hash(code)
    grouped = " ".join(digest[i : i + 4] for i in range(0, 64, 4))
    assert f'<code class="receipt-hash" title="{digest}">{grouped}</code>' in page
    # the box's checksums shortened to their first 8 characters, whole on request
    shown = re.findall(r'<code title="([0-9a-f]{64})">([0-9a-f]{8})…</code>', page)
    assert len(shown) == 2 and all(full[:8] == short for full, short in shown)


def _poll_form(org, **changes) -> dict:
    return {
        "org": str(org.id),
        "title": "Neue Frage",
        "body": "Mein Erläuterungstext",
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


def _shown(page: str, name: str) -> bool:
    match = re.search(rf'<(?:div|fieldset) data-kind-field="{name}"( hidden)?>', page)
    assert match, f"no box for {name}"
    return match.group(1) is None


def test_without_javascript_the_poll_form_first_asks_for_the_kind(world, auth, client):
    auth.login(world.organiser)
    step = _main(client.get("/polls/new").get_data(as_text=True))
    assert 'method="get"' in step and step.count('name="kind"') == 5  # the five kinds
    assert 'name="options"' not in step and 'name="title"' not in step
    yes_no = _main(client.get("/polls/new?kind=yes_no_abstain").get_data(as_text=True))
    assert not _shown(yes_no, "options") and not _shown(yes_no, "min_choices")
    ranked = _main(client.get("/polls/new?kind=ranked").get_data(as_text=True))
    assert _shown(ranked, "options") and not _shown(ranked, "min_choices")
    multiple = client.get("/polls/new?kind=multiple_choice").get_data(as_text=True)
    assert _shown(multiple, "options") and _shown(multiple, "min_choices")
    assert '<option selected value="multiple_choice">' in multiple


def test_changing_the_kind_without_javascript_keeps_what_was_typed(world, auth):
    auth.login(world.organiser)
    response = auth.post(
        "/polls/new",
        _poll_form(world.nord, title="", kind="single_choice", change_kind="1"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "error-summary" not in page  # nothing was checked yet
    assert "Mein Erläuterungstext</textarea>" in page and _shown(page, "options")


def test_the_poll_form_names_every_mistake_at_once(world, session, auth):
    from sqlalchemy import func, select

    from models import Poll

    auth.login(world.organiser)
    response = auth.post(
        "/polls/new",
        _poll_form(
            world.nord,
            title="",
            kind="multiple_choice",
            options="Eins\nZwei\nDrei",
            min_choices="3",
            max_choices="2",
            closes_at="2029-12-31T10:00",
        ),
    )
    assert response.status_code == 422
    page = _main(response.get_data(as_text=True))
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, "no error summary"
    text = summary.group(0)
    assert "Bitte korrigiere diese 3 Angaben" in text
    assert 'href="#title"' in text
    assert (
        'href="#min_choices"' in text
        and "Mindestens 3 ist mehr als höchstens 2" in (text)
    )
    assert (
        'href="#closes_at"' in text and "Das Ende muss nach dem Beginn liegen." in text
    )
    assert "Mein Erläuterungstext</textarea>" in page  # nothing typed is lost
    assert session.scalar(select(func.count()).select_from(Poll)) == 0


def test_a_yes_no_poll_ignores_options_left_in_its_hidden_field(world, session, auth):
    """Options typed before switching to yes/no are not checked or stored."""
    from models import Poll

    auth.login(world.organiser)
    saved = auth.post("/polls/new", _poll_form(world.nord, options="A\nA"))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    poll_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    session.expire_all()
    assert [o.label for o in session.get(Poll, poll_id).options] == [
        "Ja",
        "Nein",
        "Enthaltung",
    ]


def test_a_duplicated_rank_is_refused_by_name_and_the_ballot_kept(world, session, auth):
    poll = make_poll(
        session, world.nord, world.organiser, kind="ranked", options=("A", "B", "C")
    )
    a, b, c = (o.id for o in poll.options)
    auth.login(world.member)
    response = auth.post(
        f"/polls/{poll.id}/vote",
        {f"rank-{a}": "2", f"rank-{b}": "2", f"rank-{c}": "1", "confirm": "y"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Rang 2 hast du mehrfach vergeben (A und B)." in page
    # what was chosen is shown again, for the tap list and the selects alike
    selected = re.findall(
        r'name="rank-(\d+)".*?<option value="(\d)" selected', page, re.S
    )
    assert sorted(selected) == sorted([(str(a), "2"), (str(b), "2"), (str(c), "1")])
    assert "data-ranker" in page and "ranked-ballot.js" in page


def _closed_ranked(client, session, world):
    from polls.lifecycle import ensure_current

    poll = make_poll(
        session, world.nord, world.organiser, kind="ranked", options=("A", "B", "C")
    )
    a, b, c = (o.id for o in poll.options)
    _cast(
        client,
        session,
        poll,
        [(world.member, [b, a]), (world.board, [a, b, c]), (world.organiser, [b])],
    )
    close_now(session, poll)
    with client.application.test_request_context():
        ensure_current(session, poll)
    session.commit()
    return poll


def test_exports_have_german_file_names_and_one_main_button(
    world, session, auth, client
):
    poll = _closed_ranked(client, session, world)
    auth.login(world.board)
    page = _main(client.get(f"/polls/{poll.id}/results").get_data(as_text=True))
    main_button = re.search(
        r'<a class="button button--primary[^"]*" href="([^"]+)"', page
    )
    assert main_button and main_button.group(1).endswith("/export.pdf")
    assert "Niederschrift (PDF)" in page
    more = re.search(r'<details class="exports__more">(.*?)</details>', page, re.S)
    assert more and "Weitere Formate" in more.group(1)
    assert all(f"export.{f}" in more.group(1) for f in ("csv", "xlsx", "json"))
    names = {
        "pdf": f"Niederschrift-Abstimmung-{poll.id}.pdf",
        "csv": f"Abstimmung-{poll.id}-Ergebnis.csv",
        "xlsx": f"Abstimmung-{poll.id}-Ergebnis.xlsx",
        "json": f"Abstimmung-{poll.id}-Ergebnis-und-Urne.json",
        "ballots.csv": f"Abstimmung-{poll.id}-Urne.csv",
        "receipts.csv": f"Abstimmung-{poll.id}-Quittungen.csv",
    }
    for fmt, name in names.items():
        response = client.get(f"/polls/{poll.id}/export.{fmt}")
        assert response.status_code == 200, fmt
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and name in disposition, (
            disposition
        )


def test_the_ranked_csv_labels_first_preferences_as_such(world, session, auth, client):
    poll = _closed_ranked(client, session, world)
    auth.login(world.board)
    body = client.get(f"/polls/{poll.id}/export.csv").get_data(as_text=True)
    header = body.lstrip("\ufeff").splitlines()[0]
    assert header == "Option;Erstpräferenzen;Anteil an Erstpräferenzen (%)"
    # B is first on two ballots, A on one
    assert "B;2;66,7" in body and "A;1;33,3" in body
