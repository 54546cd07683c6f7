"""What a sealed poll keeps and how it is checked: the stored result, the audit
record of its sealing, and a recount from the stored ballot box (verify-poll, the
exports)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, Poll
from ortsverein.i18n import _

from .checksums import ballot_lines, digest_of_counted, receipts_digest
from .errors import PollNotCounted
from .state import definition_for
from .tally import TallyResult, tally


def stored_result(poll: Poll) -> dict[str, Any] | None:
    """The result stored at sealing; None before (also while a closed poll waits
    for its missing key)."""
    return json.loads(poll.result_json) if poll.result_json else None


def not_counted_yet(poll: Poll) -> str:
    """Why a poll whose time is up has no result yet, for every reader."""
    if poll.key_missing_at is not None:
        return _(
            "Diese Abstimmung kann nicht ausgezählt werden: ihr Schlüssel fehlt. "
            "Es gibt kein Ergebnis, solange er nicht wiederhergestellt ist."
        )
    return _("Die Abstimmung ist beendet und wird gerade ausgezählt.")


def require_counted(poll: Poll) -> None:
    """Results, the published box and exports exist only once a poll is sealed."""
    if poll.closed_at is None:
        raise PollNotCounted(not_counted_yet(poll))


def sealed_result(poll: Poll) -> dict[str, Any]:
    """The result of a sealed poll; PollNotCounted while its time is up but it is
    not sealed (being counted, or its key is missing)."""
    require_counted(poll)
    result = stored_result(poll)
    if result is None:
        raise PollNotCounted(not_counted_yet(poll))
    return result


def recount(session: Session, poll: Poll) -> tuple[str, str, TallyResult]:
    """Digest, receipts digest and tally recomputed from the stored ballot box.
    Every row is read each time (nothing cached could notice a changed row), but
    cheaply: identical ballots are counted by the database, receipts stream in
    chunks, and the tally gets each distinct ballot parsed once."""
    lines = ballot_lines(session, poll)
    digest = digest_of_counted(lines)
    ballots: list = []
    for line, count in lines:
        ballots.extend([json.loads(line)] * count)  # the same list, `count` times
    return (
        digest,
        receipts_digest(session, poll),
        tally(definition_for(poll, digest), ballots),
    )


def sealing_records(session: Session, poll: Poll) -> list[dict]:
    """What the audit log recorded when the poll was sealed (one entry, normally)."""
    details = session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.action == "poll.closed",
            AuditEntry.target_type == "poll",
            AuditEntry.target_id == poll.id,
        )
    )
    return [json.loads(d) for d in details]


def participations_removed(session: Session, poll: Poll) -> int:
    """How many participations `ortsverein retention` removed after the challenge
    period, as its audit entry recorded (0 when it has not run for this poll)."""
    details = session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.action == "retention.participations_removed",
            AuditEntry.target_type == "poll",
            AuditEntry.target_id == poll.id,
        )
    )
    return sum(json.loads(d).get("participations", 0) for d in details)
