"""Socket.IO events of motions: to the room of the book's organisation, which every
member of its subtree joins on connecting (ortsverein.realtime)."""

from __future__ import annotations

from models import Motion, MotionAmendment
from ortsverein.realtime import publish


def org_room(org_id: int) -> str:
    return f"org:{org_id}"


def motion_event(motion: Motion) -> dict:
    return {
        "motion_id": motion.id,
        "book_id": motion.book_id,
        "number": motion.number,
        "title": motion.title,
        "status": motion.status.value,
        "recommendation": motion.recommendation.value
        if motion.recommendation
        else None,
    }


def publish_created(motion: Motion) -> None:
    publish(
        "motion_created", motion_event(motion), org_room(motion.book.organisation_id)
    )


def publish_status(motion: Motion, previous: str) -> None:
    payload = {**motion_event(motion), "previous": previous}
    publish("status_changed", payload, org_room(motion.book.organisation_id))


def publish_amendment(
    amendment: MotionAmendment, event: str = "amendment_created"
) -> None:
    motion = amendment.motion
    payload = {
        "amendment_id": amendment.id,
        "motion_id": motion.id,
        "book_id": motion.book_id,
        "number": motion.number,
        "label": amendment.label,
        "first_line": amendment.first_line,
        "last_line": amendment.last_line,
        "status": amendment.status.value,
    }
    publish(event, payload, org_room(motion.book.organisation_id))
