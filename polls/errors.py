"""Domain errors of polls, each with the stable code of the JSON API."""

from __future__ import annotations

from ortsverein.errors import Conflict, DomainError, Forbidden, ValidationFailed


class AlreadyVoted(Conflict):
    code = "already_voted"


class PollNotOpen(Conflict):
    code = "poll_not_open"


class PollNotClosed(Conflict):
    code = "poll_not_closed"


class PollNotEditable(Conflict):
    code = "poll_not_editable"


class NotEligible(Forbidden):
    code = "not_eligible"


class InvalidChoices(DomainError):
    code = "invalid_ballot"
    status = 422


class BallotKeyMissing(Conflict):
    """A secret poll's private key is gone: a ballot now could never be counted."""

    code = "ballot_key_missing"


class PollNotCounted(Conflict):
    """Its time is up but it is not sealed: counting, or its key is missing."""

    code = "poll_not_counted"


class InvalidPaperBallot(ValidationFailed):
    """A paper ballot entered by the chair breaks the poll's rules; `fields` names
    it as `ballots.<index from 0>` and the message as "Stimmzettel <n>"."""

    code = "invalid_paper_ballot"


class PaperBallotCount(ValidationFailed):
    """The paper ballots entered are not as many as the members ticked."""

    code = "paper_ballot_count"
