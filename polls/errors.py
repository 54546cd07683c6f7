"""Domain errors of polls, each with the stable code of the JSON API."""

from __future__ import annotations

from ortsverein.errors import Conflict, DomainError, Forbidden


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
