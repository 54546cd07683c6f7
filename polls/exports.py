"""Result records a board files and signs: CSV, JSON, XLSX and a PDF protocol.
Every record states the rule applied, the digests, and whether a recount from the
stored ballot box still matches what was published."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models import BallotRecord, Member, NamedVote, Poll, Receipt, utcnow
from ortsverein.db import engine_of
from ortsverein.spreadsheets import csv_cell, csv_row

from .checksums import ballot_lines, bytewise, sorted_column
from .records import recount, sealed_result, sealing_records
from .rules import EACH, each_answers

BERLIN = ZoneInfo("Europe/Berlin")
FONTS = Path(__file__).resolve().parent / "fonts"
OUTCOME_WORDS = {
    "accepted": "angenommen",
    "rejected": "abgelehnt",
    "no_quorum": "nicht bindend: Quorum nicht erreicht",
    "decided": "entschieden",
    "no_majority": "keine Option hat die nötige Mehrheit",
    "counted": "ausgezählt",
    "empty": "keine Stimme abgegeben",
}
MAJORITY_WORDS = {
    "simple": "einfache Mehrheit",
    "absolute": "absolute Mehrheit",
    "two_thirds": "Zwei-Drittel-Mehrheit",
}


def rule_words(
    kind: str, majority: str, rule_name: str, reference: str, quorum_percent
) -> str:
    """The rule applied, in words, with its statute reference: every record says it."""
    words = MAJORITY_WORDS[majority]
    if kind == "ranked":
        words = "Schulze-Methode"
    elif kind == "multiple_choice":
        words = "Rangfolge nach Stimmenzahl"
    elif kind == EACH:
        words = "Ja, Nein oder Enthaltung je Option, Rangfolge nach Ja-Stimmen"
    name = rule_name + (f", {reference}" if reference else "")
    quorum = f"Quorum {str(quorum_percent).rstrip('0').rstrip('.') or '0'} %"
    return f"{name}: {words}, {quorum}" if name else f"{words}, {quorum}"


def rule_line(rec: dict) -> str:
    poll = rec["poll"]
    return rule_words(
        poll["kind"],
        poll["majority"],
        poll["rule_name"],
        poll["statute_reference"],
        poll["quorum_percent"],
    )


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def record(session: Session, poll: Poll, exporter: Member) -> dict:
    """Everything about a closed poll except the ballots themselves."""
    result = sealed_result(poll)
    labels = {str(o.id): o.label for o in poll.options}
    return {
        "poll": {
            "id": poll.id,
            "title": poll.title,
            "body": poll.body,
            "kind": poll.kind.value,
            "secret": poll.secret,
            "options": [{"id": o.id, "label": o.label} for o in poll.options],
            "organisation": {
                "id": poll.organisation.id,
                "name": poll.organisation.name,
                "slug": poll.organisation.slug,
            },
            "opens_at": poll.opens_at.isoformat(),
            "closes_at": poll.closes_at.isoformat(),
            "quorum_percent": str(poll.quorum_percent),
            "majority": poll.majority.value,
            "rule_name": poll.rule_name,
            "statute_reference": poll.statute_reference,
            "min_choices": poll.min_choices,
            "max_choices": poll.max_choices,
        },
        "electorate": {"size": poll.electorate_size, "hash": poll.electorate_hash},
        "result": result,
        "labels": labels,
        "outcome_words": OUTCOME_WORDS.get(result["outcome"], result["outcome"]),
        "ballot_box_digest": poll.ballot_digest,
        "receipts_digest": poll.receipts_digest,
        "verified": verifies(session, poll),
        "exported_at": utcnow().isoformat(),
        "exported_by": {"id": exporter.id, "name": exporter.name},
    }


def verifies(session: Session, poll: Poll) -> bool:
    """Whether a recount from the stored rows reproduces the published digests and
    result and what the audit log recorded at sealing. It reads every ballot and
    receipt each time: a row changed in the database changes nothing else a cached
    answer could be keyed on. The audit chain itself is `verify-poll`'s to check."""
    try:
        digest, receipts_digest, recounted = recount(session, poll)
    except (ValueError, TypeError, KeyError):
        return False  # a ballot row that is no longer a list of option ids
    sealed = sealing_records(session, poll)
    return (
        digest == poll.ballot_digest
        and receipts_digest == poll.receipts_digest
        and json.dumps(recounted.as_dict(), sort_keys=True) == poll.result_json
        and len(sealed) == 1
        and sealed[0].get("digest") == digest
        and sealed[0].get("receipts_digest") == receipts_digest
        and sealed[0].get("ballots") == recounted.ballots
    )


def record_json(session: Session, poll: Poll, rec: dict) -> str:
    """The record with the named votes and, last, every ballot (one a line)."""
    named = [
        {"membership_number": n, "name": who, "vote": v}
        for n, who, v in named_votes(session, poll)
    ]
    head = json.dumps({**rec, "named_votes": named}, ensure_ascii=False, indent=1)
    ballots = "".join(
        f"\n  {_as_json(line)}," * count for line, count in ballot_lines(session, poll)
    )
    body = f"[{ballots[:-1]}\n ]" if ballots else "[]"
    return f'{head[:-2]},\n "ballots": {body}\n}}'


def _as_json(line: str) -> str:
    try:
        return json.dumps(json.loads(line), ensure_ascii=False)
    except ValueError:
        return json.dumps(line, ensure_ascii=False)  # shown as stored, not hidden


def option_rows(rec: dict) -> list[tuple[str, int, str]]:
    counts, total = rec["result"]["counts"], rec["result"]["ballots"] or 1
    return [
        (
            o["label"],
            counts.get(str(o["id"]), 0),
            f"{100 * counts.get(str(o['id']), 0) / total:.1f}",
        )
        for o in rec["poll"]["options"]
    ]


def count_header(rec: dict) -> list[str]:
    """The heading of the count table: a ranked poll counts first preferences
    (for information; the Schulze ranking decides), the others votes."""
    if rec["poll"]["kind"] == "ranked":
        return ["Option", "Erstpräferenzen", "Anteil an Erstpräferenzen (%)"]
    if rec["poll"]["kind"] == EACH:
        return ["Option", "Ja-Stimmen", "Anteil Ja an allen Stimmzetteln (%)"]
    return ["Option", "Stimmen", "Anteil (%)"]


ANSWER_HEADER = ["Option", "Ja", "Nein", "Enthaltung"]


def answer_rows(rec: dict) -> list[tuple[str, int, int, int]]:
    """yes/no/abstain for each option: every option's three counts (else none)."""
    answers = rec["result"].get("answers") or {}
    rows = []
    for o in rec["poll"]["options"] if rec["poll"]["kind"] == EACH else ():
        n = answers.get(str(o["id"]), {})
        rows.append((o["label"], n.get("yes", 0), n.get("no", 0), n.get("abstain", 0)))
    return rows


def result_csv(rec: dict, delimiter: str = ";") -> str:
    """One row per option; ';' with a BOM opens right in German spreadsheet programs."""
    out = io.StringIO()
    if delimiter == ";":
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(count_header(rec))
    for label, count, share in option_rows(rec):
        writer.writerow(
            csv_row(
                [label, count, share.replace(".", ",") if delimiter == ";" else share]
            )
        )
    if answer_rows(rec):
        writer.writerow([])
        writer.writerow(ANSWER_HEADER)
        writer.writerows(csv_row(list(row)) for row in answer_rows(rec))
    r = rec["result"]
    writer.writerow([])
    for key, value in [
        ("Stimmberechtigte", r["electorate"]),
        ("Abgegebene Stimmen", r["ballots"]),
        ("Leer", r["blank"]),
        ("Quorum erreicht", "ja" if r["quorum_met"] else "nein"),
        ("Regel", rule_line(rec)),
        ("Ergebnis", rec["outcome_words"]),
        ("Prüfsumme der Urne", rec["ballot_box_digest"]),
        ("Prüfsumme der Quittungen", rec["receipts_digest"]),
        ("Nachzählung stimmt", "ja" if rec["verified"] else "NEIN"),
    ]:
        writer.writerow(csv_row([key, value]))
    return out.getvalue()


def ballot_chunks(
    connection: Connection, poll_id: int, batch: int = 5000
) -> Iterator[Sequence[tuple[str, str]]]:
    """The ballot box as (id, choices) rows sorted by choices (in code point order,
    as the digest sorts them), in chunks from a server-side cursor."""
    choices = bytewise(BallotRecord.choices, connection.dialect.name)
    yield from connection.execute(
        select(BallotRecord.id, BallotRecord.choices)
        .where(BallotRecord.poll_id == poll_id)
        .order_by(choices, BallotRecord.id)
        .execution_options(yield_per=batch)
    ).partitions()


EACH_WORDS = {"yes": "Ja", "no": "Nein"}


def choice_words(labels: dict[int, str], choices: str, each: bool = False) -> str:
    """A ballot in words: options in order (ranked: of preference), or for
    yes/no/abstain for each option every option with its answer."""
    try:
        if each:
            answers = each_answers(json.loads(choices))
            if set(answers) - set(labels):
                raise KeyError(sorted(set(answers) - set(labels)))
            return " · ".join(
                f"{label}: {EACH_WORDS.get(answers.get(i, ''), 'Enthaltung')}"
                for i, label in labels.items()
            )
        return " > ".join(labels[i] for i in json.loads(choices)) or "leer"
    except (ValueError, TypeError, KeyError):
        return "?"  # not a list of this poll's options: shown as stored, not hidden


def ballots_csv(session: Session, poll: Poll, delimiter: str = ";") -> Iterator[str]:
    """Ballot id and choices, sorted: the input anyone can recount from. Streamed in
    chunks on a connection of its own (the response outlives the request's session),
    so a box of 400,000 ballots never sits in memory."""
    labels = {o.id: o.label for o in poll.options}
    engine, poll_id = engine_of(session), poll.id
    each = poll.kind.value == EACH

    def stream() -> Iterator[str]:
        buffer = io.StringIO()
        if delimiter == ";":
            buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=delimiter)
        writer.writerow(["Stimmzettel", "Auswahl (Options-Nummern)", "Auswahl"])
        last = words = None
        with engine.connect() as connection:
            for chunk in ballot_chunks(connection, poll_id):
                rows = []
                for ballot_id, choices in chunk:
                    if choices != last:  # sorted: equal ballots come together
                        last = choices
                        words = csv_cell(choice_words(labels, choices, each))
                    rows.append((ballot_id, choices, words))
                writer.writerows(rows)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate(0)
        if buffer.tell():
            yield buffer.getvalue()

    return stream()


def receipts_csv(session: Session, poll: Poll) -> Iterator[str]:
    """The receipt hashes alone, in the receipts digest's order; never beside the
    ballots. Streamed like the ballot box."""
    engine, poll_id = engine_of(session), poll.id

    def stream() -> Iterator[str]:
        yield "Quittung (SHA-256)\r\n"
        with engine.connect() as connection:
            for chunk in sorted_column(connection, Receipt.hash, poll_id).partitions():
                yield "\r\n".join(chunk) + "\r\n"

    return stream()


def named_votes(session: Session, poll: Poll) -> list[tuple[str, str, str]]:
    """For named polls only: who voted how. Secret polls never have these rows."""
    if poll.secret:
        return []
    labels = {o.id: o.label for o in poll.options}
    rows = session.execute(
        select(
            Member.membership_number,
            Member.first_name,
            Member.last_name,
            BallotRecord.choices,
        )
        .join(NamedVote, NamedVote.member_id == Member.id)
        .join(BallotRecord, BallotRecord.id == NamedVote.ballot_id)
        .where(NamedVote.poll_id == poll.id)
        .order_by(Member.last_name, Member.first_name)
    )
    return [
        (
            number,
            f"{first} {last}",
            choice_words(labels, choices, poll.kind.value == EACH),
        )
        for number, first, last, choices in rows
    ]
