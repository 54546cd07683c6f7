"""Result records a board files and signs: CSV, JSON, XLSX and a PDF protocol.
Every record states the rule applied, the digests, and whether a recount from the
stored ballot box still matches what was published."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import BallotRecord, Member, NamedVote, Poll, Receipt, utcnow

from .lifecycle import recount, stored_result

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


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def record(session: Session, poll: Poll, exporter: Member) -> dict:
    """Everything about a closed poll except the ballots themselves."""
    result = stored_result(poll)
    digest, receipts_digest, recounted = recount(session, poll)
    verified = (
        digest == poll.ballot_digest
        and receipts_digest == poll.receipts_digest
        and json.dumps(recounted.as_dict(), sort_keys=True) == poll.result_json
    )
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
        "verified": verified,
        "exported_at": utcnow().isoformat(),
        "exported_by": {"id": exporter.id, "name": exporter.name},
    }


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


def result_csv(rec: dict, delimiter: str = ";") -> str:
    """One row per option; ';' with a BOM opens right in German spreadsheet programs."""
    out = io.StringIO()
    if delimiter == ";":
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Option", "Stimmen", "Anteil (%)"])
    for label, count, share in option_rows(rec):
        writer.writerow(
            [label, count, share.replace(".", ",") if delimiter == ";" else share]
        )
    r = rec["result"]
    writer.writerow([])
    for key, value in [
        ("Stimmberechtigte", r["electorate"]),
        ("Abgegebene Stimmen", r["ballots"]),
        ("Leer", r["blank"]),
        ("Quorum erreicht", "ja" if r["quorum_met"] else "nein"),
        ("Ergebnis", rec["outcome_words"]),
        ("Prüfsumme der Urne", rec["ballot_box_digest"]),
        ("Nachzählung stimmt", "ja" if rec["verified"] else "NEIN"),
    ]:
        writer.writerow([key, value])
    return out.getvalue()


def ballot_rows(session: Session, poll: Poll, batch: int = 5000) -> Iterator[tuple]:
    """The ballot box sorted by choices, streamed from the database."""
    rows = session.execute(
        select(BallotRecord.id, BallotRecord.choices)
        .where(BallotRecord.poll_id == poll.id)
        .order_by(BallotRecord.choices, BallotRecord.id)
        .execution_options(yield_per=batch)
    )
    yield from rows


def ballots_csv(session: Session, poll: Poll, delimiter: str = ";") -> Iterator[str]:
    """Ballot id and choices, sorted: the input anyone can recount from. Streamed
    in chunks, so a box of 400,000 ballots never sits in memory."""
    labels = {o.id: o.label for o in poll.options}
    buffer = io.StringIO()
    if delimiter == ";":
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Stimmzettel", "Auswahl (Options-Nummern)", "Auswahl"])
    for n, (ballot_id, choices) in enumerate(ballot_rows(session, poll), 1):
        writer.writerow(
            [
                ballot_id,
                choices,
                " > ".join(labels[i] for i in json.loads(choices)) or "leer",
            ]
        )
        if n % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def receipts_csv(session: Session, poll: Poll) -> Iterator[str]:
    """The receipt hashes alone, sorted; never beside the ballots."""
    yield "Quittung (SHA-256)\r\n"
    rows = session.execute(
        select(Receipt.hash)
        .where(Receipt.poll_id == poll.id)
        .order_by(Receipt.hash)
        .execution_options(yield_per=5000)
    )
    chunk = []
    for (digest,) in rows:
        chunk.append(digest)
        if len(chunk) == 5000:
            yield "\r\n".join(chunk) + "\r\n"
            chunk = []
    if chunk:
        yield "\r\n".join(chunk) + "\r\n"


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
            " > ".join(labels[i] for i in json.loads(choices)) or "leer",
        )
        for number, first, last, choices in rows
    ]
