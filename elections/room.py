"""What a meeting room says of a live vote that is an election's round: the
election's own outcome (elected, second round, open seats), not the poll's plain
tally, which knows nothing of absolute majorities or quotas, and a link to the
election. Passed to meetings as a hook (meetings cannot import elections)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ElectionRound
from ortsverein.i18n import _, ngettext


def describe_vote(session: Session, summary: dict) -> None:
    """Add `election` to a room's vote summary when the vote is a round: title,
    link and, once counted, the outcome in words."""
    rnd = session.scalar(
        select(ElectionRound).where(ElectionRound.poll_id == summary["poll_id"])
    )
    if rnd is None:
        return
    election = rnd.election
    names = {c.id: c.member.name for c in election.candidacies}
    outcome = ""
    if rnd.result_json:
        result = json.loads(rnd.result_json)
        elected = ", ".join(names.get(i, "?") for i in result.get("elected", []))
        if result.get("outcome") == "second_round":
            outcome = _(
                "Niemand hat die nötige Mehrheit; zweiter Wahlgang: %(names)s.",
                names=", ".join(names.get(i, "?") for i in result["second_round"]),
            )
        elif result.get("outcome") == "not_elected":
            outcome = _("Nicht gewählt: die nötige Mehrheit fehlt.")
        elif result.get("outcome") == "empty":
            outcome = _("Keine gültige Stimme.")
        elif result.get("outcome") == "open_seats":
            outcome = ngettext(
                "Gewählt: %(names)s; %(num)d Sitz bleibt offen.",
                "Gewählt: %(names)s; %(num)d Sitze bleiben offen.",
                result.get("open_seats", 0),
                names=elected or "–",
            )
        else:
            outcome = _("Gewählt: %(names)s.", names=elected)
    summary["election"] = {
        "id": election.id,
        "title": election.title,
        "round": rnd.number,
        "url": f"/elections/{election.id}",
        "outcome_words": outcome,
    }
