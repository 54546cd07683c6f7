"""Socket.IO: joining a poll's room checks the same permission as its page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import Member
from ortsverein.errors import NotFound

from . import visibility


def can_join_poll(session: Session, member: Member, poll_id: int) -> bool:
    try:
        visibility.get_poll(session, member, poll_id)
    except NotFound:
        return False
    return True
