"""Ballot rounds: each round of an election is a poll, created and run through
`polls.services` (secret, receipted, sealed ballots; a frozen electorate; in a
meeting a live vote of those present). Once its box is sealed the round is counted
by the election's method (counting.py) and its seats are filled."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetings import services as meetings
from models import (
    Acceptance,
    Candidacy,
    ElectedSeat,
    Election,
    ElectionMethod,
    ElectionRound,
    ElectionStatus,
    Member,
    Poll,
    PollKind,
    RoundCandidate,
    utcnow,
)
from ortsverein import audit
from ortsverein.db import rowcount, write_intent
from ortsverein.errors import Conflict, NotFound, ValidationFailed
from ortsverein.i18n import _
from polls import services as polls

from . import counting
from .access import can_organise
from .live import publish_election


def remaining_seats(election: Election) -> int:
    """Seats not yet filled by someone who did not decline."""
    taken = sum(1 for s in election.elected if s.acceptance != Acceptance.DECLINED)
    return max(election.seats - taken, 0)


def last_result(election: Election) -> dict | None:
    counted = [r for r in election.rounds if r.result_json]
    return json.loads(counted[-1].result_json or "{}") if counted else None


def next_candidates(election: Election) -> list[Candidacy]:
    """Who is on the next ballot: after a first round without a majority the
    candidates of the second round; otherwise every candidate who stands and
    has no seat yet (elected or declined)."""
    seated = {s.member_id for s in election.elected}
    standing = [
        c for c in election.candidacies if c.standing and c.member_id not in seated
    ]
    result = last_result(election)
    if result is not None and result.get("outcome") == "second_round":
        chosen = set(result.get("second_round", []))
        return [c for c in standing if c.id in chosen]
    return standing


def _kind(election: Election, candidates: int) -> str:
    if candidates == 1:
        return PollKind.YES_NO_ABSTAIN.value
    if election.method == ElectionMethod.SINGLE:
        # single_choice, not multiple_choice with one vote: the room's paper
        # ballots are entered for it as counts (polls.meeting_votes.PAPER_KINDS).
        return PollKind.SINGLE_CHOICE.value
    if election.method == ElectionMethod.BLOCK:
        return PollKind.MULTIPLE_CHOICE.value
    if election.method == ElectionMethod.APPROVAL:  # Listenwahl
        return PollKind.YES_NO_ABSTAIN_EACH.value
    return PollKind.RANKED.value


def _labels(candidates: list[Candidacy]) -> list[str]:
    """Candidates' names as options; namesakes told apart by membership number."""
    names = [c.member.name for c in candidates]
    return [
        f"{c.member.name} ({c.member.membership_number})"
        if names.count(c.member.name) > 1
        else c.member.name
        for c in candidates
    ]


def unfinished_round(session: Session, election: Election) -> ElectionRound | None:
    """The round whose poll is not yet counted (open, or sealed on this look)."""
    return next((r for r in election.rounds if r.counted_at is None), None)


def start_round(
    session: Session,
    member: Member,
    election: Election,
    closes_at: datetime | None = None,
) -> ElectionRound:
    """A new ballot among the next candidates for the seats still open: a live
    vote of those present when the election is held in a meeting, otherwise a
    poll from now until `closes_at` for the organisation's members."""
    if not can_organise(member, election.organisation):
        raise NotFound()
    refresh(session, election)
    if election.status != ElectionStatus.BALLOTING:
        raise Conflict(
            _("Wahlgänge gibt es erst nach Schluss der Vorschlagsliste.")
            if election.status == ElectionStatus.NOMINATION
            else _("Diese Wahl ist abgeschlossen.")
        )
    if unfinished_round(session, election) is not None:
        raise Conflict(_("Der laufende Wahlgang ist noch nicht ausgezählt."))
    seats = remaining_seats(election)
    candidates = next_candidates(election)
    if seats == 0:
        raise Conflict(_("Alle Sitze dieser Wahl sind besetzt."))
    if not candidates:
        raise ValidationFailed(_("Für den nächsten Wahlgang gibt es keine Bewerbung."))
    number = len(election.rounds) + 1
    kind = _kind(election, len(candidates))
    now = utcnow()
    data = polls.PollInput(
        org_id=election.organisation_id,
        title=_("%(title)s: %(n)d. Wahlgang", title=election.title, n=number),
        body=election.body,
        kind=kind,
        options=[] if kind == PollKind.YES_NO_ABSTAIN else _labels(candidates),
        secret=election.secret,
        opens_at=now,
        closes_at=closes_at or now,
        max_choices=min(seats, len(candidates)),
    )

    def add_round(poll: Poll) -> None:
        rnd = ElectionRound(election=election, number=number, poll=poll, seats=seats)
        options = [o.id for o in poll.options]
        for position, candidacy in enumerate(candidates):
            rnd.candidates.append(
                RoundCandidate(
                    candidacy=candidacy,
                    option_id=None if len(candidates) == 1 else options[position],
                    position=position,
                )
            )
        session.add(rnd)
        audit.record(
            session,
            member,
            "election.round_started",
            organisation=election.organisation,
            target=election,
            round=number,
            poll=poll.id,
            candidates=len(candidates),
        )

    if election.meeting_id is not None:
        meeting = meetings.get_meeting(session, member, election.meeting_id)
        if not meetings.is_running(meeting):
            raise Conflict(_("Die Sitzung dieser Wahl läuft nicht."))
        poll = meetings.start_vote(session, member, meeting, data, add_round)
    else:
        if closes_at is None or closes_at <= now:
            raise ValidationFailed(
                _("Bitte gib an, wann der Wahlgang endet (in der Zukunft)."),
                fields={"closes_at": _("Das Ende muss in der Zukunft liegen.")},
            )
        poll = polls.create_poll(session, member, data, add_round)
        polls.schedule(session, member, poll)
    rnd = next(r for r in election.rounds if r.number == number)
    publish_election(election, "round_started", round=number, poll_id=poll.id)
    return rnd


def close_round(session: Session, member: Member, election: Election) -> None:
    """End a meeting's live ballot now (an online round ends at its time)."""
    rnd = unfinished_round(session, election)
    if rnd is None or election.meeting_id is None:
        raise Conflict(_("Es läuft kein Wahlgang in einer Sitzung."))
    meeting = meetings.get_meeting(session, member, election.meeting_id)
    meetings.close_vote(session, member, meeting, rnd.poll_id)
    refresh(session, election)


def count_closed_vote(session: Session, poll: Poll) -> None:
    """Hook run by meetings when the chair closes a live vote (from the room, the
    API or the election page): if the vote is an election's round, count it at
    once and publish result_published, instead of waiting for `ortsverein tick`
    or the next look at the election."""
    rnd = session.scalar(select(ElectionRound).where(ElectionRound.poll_id == poll.id))
    if rnd is not None and rnd.counted_at is None:
        refresh(session, rnd.election)


def refresh(session: Session, election: Election) -> None:
    """Count a round whose box has been sealed (idempotent; the first look after
    closing does it). Runs before the caller writes anything: sealing and the
    count run in transactions of their own."""
    for rnd in election.rounds:
        if rnd.counted_at is None and polls.poll_state(session, rnd.poll) == "closed":
            if rnd.poll.closed_at is not None:
                _count(session, election, rnd)


def _count(session: Session, election: Election, rnd: ElectionRound) -> None:
    ballots = polls.sealed_ballots(session, rnd.poll)
    outcome = counting.count_round(election, rnd, ballots)
    session.rollback()
    try:
        with write_intent():
            session.refresh(rnd)
            claimed = rowcount(
                session.execute(
                    update(ElectionRound)
                    .where(
                        ElectionRound.id == rnd.id, ElectionRound.counted_at.is_(None)
                    )
                    .values(counted_at=utcnow(), result_json=outcome.as_json())
                )
            )
            if not claimed:
                session.rollback()
                return
            session.refresh(election)
            position = len(election.elected)
            by_id = {c.id: c for c in election.candidacies}
            for candidacy_id in outcome.elected:
                position += 1
                session.add(
                    ElectedSeat(
                        election=election,
                        member_id=by_id[candidacy_id].member_id,
                        round_id=rnd.id,
                        position=position,
                        by_quota=candidacy_id in outcome.by_quota,
                    )
                )
            session.flush()
            session.refresh(election)
            if remaining_seats(election) == 0:
                election.status = ElectionStatus.FINISHED
                election.finished_at = utcnow()
            audit.record(
                session,
                None,
                "election.counted",
                organisation=election.organisation,
                target=election,
                round=rnd.number,
                outcome=outcome.outcome,
                elected=len(outcome.elected),
            )
            session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(election)
    publish_election(
        election, "result_published", round=rnd.number, outcome=outcome.outcome
    )


def record_acceptance(
    session: Session, member: Member, seat: ElectedSeat, accepted: bool
) -> ElectedSeat:
    """Annahme der Wahl: the elected person says whether they take up the seat, in
    the app or to the chair, who records it. Once recorded it stands. A declined
    seat is open again for a further round."""
    election = seat.election
    if seat.member_id != member.id and not can_organise(member, election.organisation):
        raise NotFound()
    if seat.acceptance is not None:
        raise Conflict(_("Die Erklärung zu dieser Wahl ist bereits festgehalten."))
    seat.acceptance = Acceptance.ACCEPTED if accepted else Acceptance.DECLINED
    seat.acceptance_at = utcnow()
    seat.acceptance_recorded_by_id = member.id
    if not accepted and election.status == ElectionStatus.FINISHED:
        election.status, election.finished_at = ElectionStatus.BALLOTING, None
    audit.record(
        session,
        member,
        "election.accepted" if accepted else "election.declined",
        organisation=election.organisation,
        target=election,
        elected=seat.member.name,
    )
    session.commit()
    publish_election(election, "result_published", seat=seat.id)
    return seat


def finish(session: Session, member: Member, election: Election) -> Election:
    """The organisers end the election, leaving any open seats unfilled."""
    if not can_organise(member, election.organisation):
        raise NotFound()
    refresh(session, election)
    if election.status == ElectionStatus.FINISHED:
        return election
    if unfinished_round(session, election) is not None:
        raise Conflict(_("Der laufende Wahlgang ist noch nicht ausgezählt."))
    election.status, election.finished_at = ElectionStatus.FINISHED, utcnow()
    audit.record(
        session,
        member,
        "election.finished",
        organisation=election.organisation,
        target=election,
        open_seats=remaining_seats(election),
    )
    session.commit()
    publish_election(election, "election_changed")
    return election


def count_due(session: Session) -> str:
    """For `ortsverein tick` (cron): count every round whose poll has been sealed,
    so results are published without waiting for someone to open the election."""
    waiting = session.scalars(
        select(ElectionRound.election_id)
        .where(ElectionRound.counted_at.is_(None))
        .distinct()
        .order_by(ElectionRound.election_id)
    ).all()
    counted = 0
    for election_id in waiting:
        election = session.get(Election, election_id)
        if election is None:
            continue
        before = sum(1 for r in election.rounds if r.counted_at is not None)
        refresh(session, election)
        counted += sum(1 for r in election.rounds if r.counted_at is not None) - before
    session.rollback()  # end the read transaction before the next hook
    return f"{counted} election round(s) counted" if counted else ""
