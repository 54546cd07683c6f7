"""The state of a meeting room as one JSON document: what everyone in the room sees,
and a member's own part with the recent discussion. Sent after every change (see
live.py) and returned on joining or rejoining after a dropped link."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from discussions.services import can_join_thread, post_payload
from models import AgendaItem, Meeting, Member, Post
from ortsverein.db import read_intent
from ortsverein.realtime import publish

from . import attendance, speakers, votes
from .access import can_attend, is_chair, status
from .live import room

RECENT_POSTS = 30


def item_json(item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "position": item.position + 1,
        "title": item.title,
        "html": item.body_html,
        "thread_id": item.thread_id,
        "opened": item.opened_at is not None,
    }


def public_state(
    session: Session, meeting: Meeting, member: Member | None = None
) -> dict:
    """What everyone in the room sees (with `member`, the vote says whether they
    may vote and have voted)."""
    current = next((i for i in meeting.items if i.id == meeting.current_item_id), None)
    return {
        "meeting_id": meeting.id,
        "title": meeting.title,
        "status": status(meeting),
        "speaking_seconds": meeting.speaking_seconds,
        "alternating": meeting.alternating,
        "item": item_json(current) if current else None,
        "items": [item_json(i) for i in meeting.items],
        "speakers": speakers.state(session, meeting),
        "vote": votes.current_vote(session, meeting, member),
        "attendance": attendance.summary(session, meeting),
    }


def member_state(session: Session, meeting: Meeting, member: Member) -> dict:
    """The public state plus the member's own part and the recent discussion."""
    state = public_state(session, meeting, member)
    state["me"] = {
        "id": member.id,
        "chair": is_chair(member, meeting),
        "can_attend": can_attend(member, meeting),
        "present": attendance.is_present(session, meeting.id, member.id),
        "on_list": any(
            q["member"]["id"] == member.id for q in state["speakers"]["queue"]
        ),
    }
    thread_id = state["item"]["thread_id"] if state["item"] else None
    # The item's thread may have been moved where this member cannot read it.
    state["posts"] = (
        recent_posts(session, thread_id)
        if thread_id and can_join_thread(session, member, thread_id)
        else []
    )
    return state


def recent_posts(session: Session, thread_id: int) -> list[dict]:
    posts = session.scalars(
        select(Post)
        .where(Post.thread_id == thread_id)
        .options(joinedload(Post.author))
        .order_by(Post.id.desc())
        .limit(RECENT_POSTS)
    ).all()
    return [post_payload(p)["post"] for p in reversed(posts)]


def publish_state(meeting: Meeting, *, session: Session, event: str) -> None:
    """After a commit: the new public state to everyone in the room. It is read in
    a reader's transaction of its own, ended before the emit. Connected to
    live.meeting_changed by meetings.init_app."""
    with read_intent():
        state = public_state(session, meeting)
        session.commit()
    publish(event, state, room(meeting.id))
