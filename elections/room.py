"""What a meeting room says of a live vote that is an election's round: the
election's own outcome (elected, second round, open seats), not the poll's plain
tally, which knows nothing of absolute majorities or quotas, and a link to the
election. Passed to meetings as a hook (meetings cannot import elections)."""

from __future__ import annotations

import json

from flask_babel import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ElectionRound, Member, Poll
from ortsverein.i18n import _, ngettext
from ortsverein.permissions import can_see_org


def describe_vote(session: Session, summary: dict) -> None:
    """Add `election` to a room's vote summary when the vote is a round: title,
    link and, once counted, the outcome in words."""
    rnd = session.scalar(
        select(ElectionRound).where(ElectionRound.poll_id == summary["poll_id"])
    )
    if rnd is None:
        return
    election = rnd.election
    summary["election"] = {
        "id": election.id,
        "title": election.title,
        "round": rnd.number,
        "url": f"/elections/{election.id}",
        "outcome_words": _outcome_words(rnd),
    }


def _outcome_words(rnd: ElectionRound) -> str:
    """What the election's rule decided in this round, in words ("" until counted)."""
    if not rnd.result_json:
        return ""
    names = {c.id: c.member.name for c in rnd.election.candidacies}
    result = json.loads(rnd.result_json)
    elected = ", ".join(names.get(i, "?") for i in result.get("elected", []))
    if result.get("outcome") == "second_round":
        return _(
            "Niemand hat die nötige Mehrheit; zweiter Wahlgang: %(names)s.",
            names=", ".join(names.get(i, "?") for i in result["second_round"]),
        )
    if result.get("outcome") == "not_elected":
        return _("Nicht gewählt: die nötige Mehrheit fehlt.")
    if result.get("outcome") == "empty":
        return _("Keine gültige Stimme.")
    if result.get("outcome") == "open_seats":
        return ngettext(
            "Gewählt: %(names)s; %(num)d Sitz bleibt offen.",
            "Gewählt: %(names)s; %(num)d Sitze bleiben offen.",
            result.get("open_seats", 0),
            names=elected or "–",
        )
    return _("Gewählt: %(names)s.", names=elected)


def poll_note(session: Session, poll: Poll, member: Member) -> dict | None:
    """For the poll's own pages (POLL_PAGE_HOOKS): a round's poll points to the
    election's outcome (elected in order, seats by quota), which its plain tally
    does not know. None for other polls and for a member who cannot see the
    election."""
    rnd = session.scalar(select(ElectionRound).where(ElectionRound.poll_id == poll.id))
    if rnd is None or not can_see_org(member, rnd.election.organisation):
        return None
    election = rnd.election
    lines = []
    if rnd.result_json:
        lines.append(_outcome_words(rnd))
        seats = sorted(
            (s for s in election.elected if s.round_id == rnd.id),
            key=lambda s: s.position,
        )
        quota = [s.member.name for s in seats if s.by_quota]
        if quota:
            lines.append(
                _(
                    "Über die Quote (mindestens %(p)s %% je Geschlecht) gewählt: "
                    "%(names)s.",
                    p=format_decimal(election.quota_percent),
                    names=", ".join(quota),
                )
            )
        elif election.quota_percent and rnd.seats > 1:
            lines.append(
                _(
                    "Die Quote (mindestens %(p)s %% je Geschlecht) war erfüllt, "
                    "ohne dass sie eingreifen musste.",
                    p=format_decimal(election.quota_percent),
                )
            )
        lines.append(
            _(
                "Maßgeblich ist das Ergebnis nach der Regel der Wahl; die "
                "Auszählung dieser Abstimmung zeigt nur, wie die Stimmen fielen."
            )
        )
    else:
        lines.append(
            _(
                "Ausgezählt wird nach der Regel der Wahl, sobald die Urne "
                "versiegelt ist."
            )
        )
    return {
        "title": _("%(n)d. Wahlgang der Wahl „%(t)s“", n=rnd.number, t=election.title),
        "lines": lines,
        "url": f"/elections/{election.id}",
        "link": _("Zum Ergebnis der Wahl"),
    }
