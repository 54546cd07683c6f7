"""Checks the motion use cases share: the deadline, enforced on the server in the
book's time zone, and how submitted text is cleaned."""

from __future__ import annotations

from models import MotionBook
from ortsverein.i18n import _

from .access import deadline_passed
from .errors import DeadlinePassed
from .labels import deadline_text


def require_open(book: MotionBook) -> None:
    """Refuse once the deadline has passed, naming it in the book's zone."""
    if deadline_passed(book):
        raise DeadlinePassed(
            _(
                "Der Antragsschluss ist vorbei: %(deadline)s.",
                deadline=deadline_text(book),
            )
        )


def clean(value: str | None) -> str:
    return (value or "").replace("\x00", "").replace("\r\n", "\n").strip()
