"""Live votes of a meeting: polls whose electorate is the members present when the
chair starts them, closed by the chair, with paper ballots from the room. The same
ballot store, sealing and tally as every poll; meetings reach them only through the
functions re-exported by `polls.services`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from models import (
    ElectorateEntry,
    Member,
    PaperVoter,
    Participation,
    Poll,
    PollKind,
    utcnow,
)
from ortsverein import audit
from ortsverein.errors import Conflict, ValidationFailed
from ortsverein.i18n import _

from . import ballot_keys
from .casting import BERLIN, ballot_row, lock_open_poll, turnout
from .checksums import canonical, electorate_digest
from .definitions import PollInput, apply_definition, validate
from .errors import InvalidPaperBallot, PaperBallotCount, PollNotOpen
from .exports import MAJORITY_WORDS, OUTCOME_WORDS
from .lifecycle import ensure_current
from .records import stored_result
from .rules import InvalidBallot, check_ballot
from .state import CLOSED, OPEN, definition_for, status

# The chair closes a live vote; this only bounds one that is forgotten.
LONGEST_LIVE_VOTE = timedelta(hours=12)
# Paper ballots entered as counts per option:
PAPER_KINDS = (PollKind.YES_NO_ABSTAIN, PollKind.SINGLE_CHOICE)
# ... and entered one by one (record_paper_ballots), as ticked, ranked or answered
# per option:
BALLOT_PAPER_KINDS = (
    PollKind.MULTIPLE_CHOICE,
    PollKind.RANKED,
    PollKind.YES_NO_ABSTAIN_EACH,
)


def start_meeting_vote(
    session: Session,
    chair: Member,
    data: PollInput,
    meeting_id: int,
    agenda_item_id: int | None,
    present_ids: list[int],
    before_commit: Callable[[Poll], None] | None = None,
) -> Poll:
    """Open a poll at once for exactly the members present now. The caller (the
    meeting) has checked that `chair` chairs the meeting; the poll rules (kinds,
    options, majority) are checked here as for every poll. `before_commit` lets
    the feature that owns the vote (an election's round) write its rows in the
    same transaction."""
    if not present_ids:
        raise ValidationFailed(
            _("Niemand ist anwesend: eine Abstimmung braucht Stimmberechtigte.")
        )
    now = utcnow()
    data.opens_at, data.closes_at, data.repeat = now, now + LONGEST_LIVE_VOTE, "none"
    org = validate(session, chair, data, chair=True)
    poll = Poll(
        organisation=org,
        created_by=chair,
        kind=PollKind(data.kind),
        opens_at=now,
        closes_at=now + LONGEST_LIVE_VOTE,
        title="",
        meeting_id=meeting_id,
        agenda_item_id=agenda_item_id,
    )
    session.add(poll)
    apply_definition(session, poll, data)
    # Opened, announced and reminded now: the electorate is in the room.
    poll.scheduled = True
    poll.opened_at = poll.announced_at = poll.reminded_at = now
    session.flush()
    session.execute(
        insert(ElectorateEntry),
        [{"poll_id": poll.id, "member_id": m} for m in sorted(set(present_ids))],
    )
    poll.electorate_size, poll.electorate_hash = electorate_digest(session, poll.id)
    if poll.secret:  # its ballots are sealed from the first one on
        poll.ballot_public_key = ballot_keys.create(poll.id)
    audit.record(
        session,
        chair,
        "poll.opened",
        organisation=org,
        target=poll,
        meeting=meeting_id,
        electorate_size=poll.electorate_size,
        electorate_hash=poll.electorate_hash,
    )
    if before_commit is not None:
        before_commit(poll)
    session.commit()
    return poll


def close_meeting_vote(session: Session, chair: Member, poll: Poll) -> Poll:
    """Close now: the same sealing and tally as a poll whose time has run out."""
    if status(poll) != OPEN:
        raise PollNotOpen(_("Diese Abstimmung ist nicht geöffnet."))
    session.execute(
        update(Poll)
        .where(Poll.id == poll.id, Poll.closed_at.is_(None))
        .values(closes_at=utcnow())
    )
    audit.record(
        session,
        chair,
        "poll.closed_by_chair",
        organisation=poll.organisation,
        target=poll,
        meeting=poll.meeting_id,
    )
    session.commit()
    session.refresh(poll)
    ensure_current(session, poll)
    return poll


def record_paper_votes(
    session: Session,
    chair: Member,
    poll: Poll,
    member_ids: list[int],
    counts: dict[int, int],
    blank: int,
) -> int:
    """Count the ballots cast on paper in the room. The members who voted on paper
    are checked off the electorate in the same transaction (a participation each),
    so none of them can also vote online; the counts must add up to them."""
    _paper_open(poll, PAPER_KINDS)
    members = _paper_members(member_ids)
    option_ids = {o.id for o in poll.options}
    if set(counts) - option_ids or any(n < 0 for n in counts.values()) or blank < 0:
        raise ValidationFailed(_("Die Stimmenzahlen passen nicht zu den Optionen."))
    if sum(counts.values()) + blank != len(members):
        raise ValidationFailed(
            _(
                "Die Stimmen (%(votes)d) müssen der Zahl der angekreuzten "
                "Mitglieder (%(members)d) entsprechen.",
                votes=sum(counts.values()) + blank,
                members=len(members),
            )
        )
    rows = [[o] for o, n in sorted(counts.items()) for _i in range(n)] + [[]] * blank
    return _seal_paper(session, chair, poll, members, rows)


def record_paper_ballots(
    session: Session,
    chair: Member,
    poll: Poll,
    member_ids: list[int],
    ballots: list[list[int]],
) -> int:
    """The paper ballots of a multiple-choice (Blockwahl), ranked (STV) or
    yes/no/abstain-per-option (Listenwahl) vote, each entered as written: the
    option ids ticked, in order of preference, or answered yes (the id) and no
    (the id negated); `[]` for a blank or invalid ballot. Checked by the rules
    of online ballots, as many as members ticked, sealed as `record_paper_votes`
    seals them."""
    _paper_open(poll, BALLOT_PAPER_KINDS)
    members = _paper_members(member_ids)
    rows = check_paper_ballots(poll, ballots)
    if len(rows) != len(members):
        raise PaperBallotCount(
            _(
                "Erfasst sind %(ballots)d Stimmzettel, angekreuzt %(members)d "
                "Mitglieder: es muss ein Stimmzettel je Angekreuzte sein.",
                ballots=len(rows),
                members=len(members),
            )
        )
    return _seal_paper(session, chair, poll, members, rows)


def check_paper_ballots(
    poll: Poll, ballots: list[list[int]], numbers: list[int] | None = None
) -> list[list[int]]:
    """Each paper ballot checked by the poll's rules, in canonical form; every
    broken one is named (`ballots.<index>`, and "Stimmzettel <number>": its
    `numbers` entry, a form's row, else index + 1)."""
    definition = definition_for(poll)
    rows: list[list[int]] = []
    errors: dict[str, str] = {}
    for index, ballot in enumerate(ballots):
        try:
            rows.append(list(check_ballot(definition, ballot)))
        except InvalidBallot as err:
            number = numbers[index] if numbers else index + 1
            errors[f"ballots.{index}"] = _paper_message(number, err)
    if errors:
        raise InvalidPaperBallot(
            " ".join(errors.values()),
            fields=errors,
        )
    return rows


def _paper_message(number: int, err: InvalidBallot) -> str:
    if err.rule == "too_many":
        return _(
            "Stimmzettel %(n)d: zu viele Stimmen (höchstens %(max)d); ist er "
            "ungültig, erfasse ihn als leer/ungültig.",
            n=number,
            max=err.values.get("maximum", 1),
        )
    if err.rule == "too_few":
        return _(
            "Stimmzettel %(n)d: zu wenige Stimmen (mindestens %(min)d); ist er "
            "ungültig, erfasse ihn als leer/ungültig.",
            n=number,
            min=err.values.get("minimum", 1),
        )
    if err.rule == "duplicate_option":
        return _("Stimmzettel %(n)d: eine Option ist doppelt genannt.", n=number)
    return _(
        "Stimmzettel %(n)d: nennt eine Option, die nicht zu dieser Abstimmung gehört.",
        n=number,
    )


def _paper_open(poll: Poll, kinds: tuple[PollKind, ...]) -> None:
    if status(poll) != OPEN:
        raise PollNotOpen(_("Diese Abstimmung ist nicht geöffnet."))
    if poll.kind not in kinds:
        raise ValidationFailed(
            _(
                "Stimmenzahlen je Option lassen sich nur bei Ja/Nein/Enthaltung "
                "und Einzelwahl erfassen; bei Mehrfachauswahl, Rangfolge und "
                "Ja/Nein/Enthaltung je Option wird jeder Papierstimmzettel "
                "einzeln erfasst."
            )
            if kinds == PAPER_KINDS
            else _(
                "Einzelne Stimmzettel lassen sich nur bei Mehrfachauswahl, "
                "Rangfolge und Ja/Nein/Enthaltung je Option erfassen; sonst die "
                "Zahl der Stimmen je Option."
            )
        )
    if poll.paper_ballots is not None:
        raise Conflict(_("Die Papierstimmen dieser Abstimmung sind bereits erfasst."))


def _paper_members(member_ids: list[int]) -> list[int]:
    members = sorted(set(member_ids))
    if not members:
        raise ValidationFailed(_("Bitte kreuze an, wer auf Papier abgestimmt hat."))
    return members


def _seal_paper(
    session: Session,
    chair: Member,
    poll: Poll,
    members: list[int],
    rows: list[list[int]],
) -> int:
    """Check the paper voters off the electorate and seal their ballots, in one
    transaction: they must be in the electorate and must not have voted online."""
    eligible = set(
        session.scalars(
            select(ElectorateEntry.member_id).where(
                ElectorateEntry.poll_id == poll.id,
                ElectorateEntry.member_id.in_(members),
            )
        )
    )
    if eligible != set(members):
        strangers = session.scalars(
            select(Member).where(Member.id.in_(set(members) - eligible))
        ).all()
        raise ValidationFailed(
            _(
                "Nicht stimmberechtigt (bei Beginn der Abstimmung nicht anwesend): "
                "%(names)s.",
                names=", ".join(sorted(m.name for m in strangers)) or "?",
            )
        )
    voted = session.scalars(
        select(Member)
        .join(Participation, Participation.member_id == Member.id)
        .where(Participation.poll_id == poll.id, Member.id.in_(members))
    ).all()
    if voted:
        raise Conflict(
            _(
                "Bereits online abgestimmt und daher nicht auf Papier zu zählen: "
                "%(names)s.",
                names=", ".join(sorted(m.name for m in voted)),
            )
        )
    lock_open_poll(session, poll)
    today = datetime.now(UTC).astimezone(BERLIN).date()
    session.execute(
        insert(Participation),
        [{"poll_id": poll.id, "member_id": m, "voted_on": today} for m in members],
    )
    session.execute(
        insert(PaperVoter), [{"poll_id": poll.id, "member_id": m} for m in members]
    )
    # Sealed as online ballots are: while the vote is open, a copy of the
    # database holds no count, not even of the room. In the order entered,
    # under random ids: the box keeps no order.
    for row in rows:
        model, values = ballot_row(
            poll.id, poll.ballot_public_key, uuid.uuid4().hex, canonical(row)
        )
        session.execute(insert(model), values)
    session.execute(
        update(Poll).where(Poll.id == poll.id).values(paper_ballots=len(rows))
    )
    audit.record(
        session,
        chair,
        "poll.paper_votes",
        organisation=poll.organisation,
        target=poll,
        # Who was ticked and the total only: counts per option (or the ballots)
        # beside the names of the paper voters would keep how they voted (and,
        # while open, be an intermediate result).
        paper_ballots=len(rows),
        paper_voters=members,
    )
    try:
        session.commit()
    except IntegrityError:  # a member's online ballot landed meanwhile
        session.rollback()
        raise Conflict(
            _("Jemand hat gerade online abgestimmt; bitte erfasse die Liste neu.")
        ) from None
    session.refresh(poll)
    return len(rows)


def meeting_polls(session: Session, meeting_id: int) -> list[Poll]:
    return list(
        session.scalars(
            select(Poll)
            .where(Poll.meeting_id == meeting_id)
            .options(selectinload(Poll.options))
            .order_by(Poll.id)
        )
    )


def vote_summary(session: Session, poll: Poll, member: Member | None = None) -> dict:
    """What a meeting shows of a live vote: while open only turnout; once closed the
    result, rule and outcome in words (the same words as the poll's records)."""
    state = ensure_current(session, poll)
    summary: dict[str, Any] = {
        "poll_id": poll.id,
        "title": poll.title,
        "kind": poll.kind.value,
        "secret": poll.secret,
        "status": state,
        "agenda_item_id": poll.agenda_item_id,
        "options": [{"id": o.id, "label": o.label} for o in poll.options],
        "electorate": poll.electorate_size or 0,
        "ballots": turnout(session, poll),
        "paper_ballots": poll.paper_ballots or 0,
        "url": f"/polls/{poll.id}",
    }
    if member is not None:
        summary["eligible"] = (
            session.get(ElectorateEntry, (poll.id, member.id)) is not None
        )
        summary["voted"] = session.get(Participation, (poll.id, member.id)) is not None
    if state == CLOSED and poll.closed_at is not None:  # sealed, counted
        result = stored_result(poll) or {}
        answers = result.get("answers", {})
        for option in summary["options"]:
            option["count"] = result.get("counts", {}).get(str(option["id"]), 0)
            if poll.kind == PollKind.YES_NO_ABSTAIN_EACH:  # count: the yes votes
                n = answers.get(str(option["id"]), {})
                option.update({v: n.get(v, 0) for v in ("yes", "no", "abstain")})
        summary["result"] = {
            "ballots": result.get("ballots", 0),
            "valid": result.get("valid", 0),
            "blank": result.get("blank", 0),
            "quorum_met": result.get("quorum_met", False),
            "outcome": result.get("outcome", ""),
            "outcome_words": OUTCOME_WORDS.get(result.get("outcome", ""), ""),
            "winners": result.get("winners", []),
            "ranking": result.get("ranking", []),
            "majority": poll.majority.value,
            "majority_words": MAJORITY_WORDS.get(poll.majority.value, ""),
            "rule_name": poll.rule_name,
            "statute_reference": poll.statute_reference,
            "ballot_digest": poll.ballot_digest,
        }
    return summary


def paper_voter_count(session: Session, poll: Poll) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PaperVoter)
            .where(PaperVoter.poll_id == poll.id)
        )
        or 0
    )
