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
