"""Domain errors of motions, with the stable codes of the JSON API."""

from __future__ import annotations

from ortsverein.errors import Conflict, Forbidden, ValidationFailed


class DeadlinePassed(Conflict):
    """The book's deadline (Antragsschluss) has passed."""

    code = "deadline_passed"


class NotEnoughSupporters(Conflict):
    """A motion is admitted only with the supporters the book needs."""

    code = "not_enough_supporters"


class TransitionRefused(Conflict):
    """The motion's status cannot change this way (from where it stands)."""

    code = "transition_not_allowed"


class NotAdopted(Conflict):
    """Only an adopted motion can be forwarded to a higher level."""

    code = "not_adopted"


class NotBoard(Forbidden):
    """Forwarding is for the board and the organisers of the book's organisation."""

    code = "not_board"


class NotHigherBook(ValidationFailed):
    """The target book is not one of a strictly higher organisation."""

    code = "book_not_higher"
