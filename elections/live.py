"""Socket.IO events of elections, published after the use case has committed to
the organisation's room, as polls publish theirs: every member of its subtree
who is connected hears of it and may reload what they see."""

from __future__ import annotations

from typing import Any

from models import Election
from ortsverein.realtime import publish


def publish_election(election: Election, event: str, **payload: Any) -> None:
    """`event`: candidacy_changed, round_started, result_published or
    election_changed; the payload names the election and what changed."""
    body = {"election_id": election.id, "title": election.title, **payload}
    publish(event, body, f"org:{election.organisation_id}")
