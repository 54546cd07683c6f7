"""Domain errors of motions, with the stable codes of the JSON API."""

from __future__ import annotations

from ortsverein.errors import Conflict


class DeadlinePassed(Conflict):
    """The book's deadline (Antragsschluss) has passed."""

    code = "deadline_passed"


class NotEnoughSupporters(Conflict):
    """A motion is admitted only with the supporters the book needs."""

    code = "not_enough_supporters"


class TransitionRefused(Conflict):
    """The motion's status cannot change this way (from where it stands)."""

    code = "transition_not_allowed"
