"""The chair's page for the paper ballots of a multiple-choice (Blockwahl), ranked
(STV) or yes/no/abstain-per-option (Listenwahl) live vote: tick who voted on
paper, then one row per paper ballot as written (the boxes ticked, the number
beside each name, or each name's yes, no or abstain). A plain form without
JavaScript; "more rows" and every refused entry show the page again with all that
was typed, each broken ballot named by its row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import Meeting, Poll
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError
from ortsverein.i18n import _
from ortsverein.realtime import MAX_ID
from polls import services as polls

from . import attendance, bp, votes
from .access import is_chair
from .views import load_meeting

ID_RE = re.compile(r"[0-9]{1,9}")  # ASCII digits only
MORE_ROWS = 5
MAX_ROWS = 1000  # paper ballots on one page
ANSWERS = ("yes", "no", "abstain")  # a yes/no/abstain-per-option ballot's marks


@dataclass
class Row:
    """One paper ballot as typed: ticked option ids (multiple choice), the rank
    typed beside each option (ranked) or each option's answer (yes/no/abstain
    per option), and whether it is blank or invalid."""

    ticked: set[int] = field(default_factory=set)
    ranks: dict[int, str] = field(default_factory=dict)
    answers: dict[int, str] = field(default_factory=dict)
    blank: bool = False
    error: str = ""

    @property
    def touched(self) -> bool:
        return (
            self.blank
            or bool(self.ticked)
            or any(self.ranks.values())
            or any(self.answers.values())
        )


def _load(meeting_id: int, poll_id: int) -> tuple[Meeting, Poll]:
    meeting = load_meeting(meeting_id)
    if not is_chair(current_user, meeting):
        abort(404)
    try:
        poll = votes.meeting_vote(db.session, meeting, poll_id)
    except DomainError:
        abort(404)
    return meeting, poll


def _rows_from_form(poll: Poll, count: int) -> list[Row]:
    option_ids = {o.id for o in poll.options}
    rows = []
    for i in range(count):
        row = Row(blank=request.form.get(f"b{i}-blank") == "y")
        if poll.kind.value == "multiple_choice":
            row.ticked = {
                int(v)
                for v in request.form.getlist(f"b{i}")
                if ID_RE.fullmatch(v) and int(v) in option_ids
            }
        elif poll.kind.value == "yes_no_abstain_each":
            row.answers = {
                o.id: answer
                for o in poll.options
                if (answer := request.form.get(f"b{i}-o{o.id}", "")) in ANSWERS
            }
        else:
            row.ranks = {
                o.id: request.form.get(f"b{i}-o{o.id}", "").strip()[:10]
                for o in poll.options
            }
        rows.append(row)
    return rows


def _ballot(poll: Poll, number: int, row: Row) -> list[int] | None:
    """The ballot of a row as option ids (ticked, or in order of preference);
    None, with the row's error set, when the row cannot be read."""
    labels = {o.id: polls.option_label(poll, o.label) for o in poll.options}
    if poll.kind.value == "multiple_choice":
        choices = sorted(row.ticked)
    elif poll.kind.value == "yes_no_abstain_each":
        # As the online ballot stores it: yes as the id, no as the id negated,
        # abstain (or nothing marked, as on paper) left out; in option order.
        choices = [
            o.id if row.answers[o.id] == "yes" else -o.id
            for o in poll.options
            if row.answers.get(o.id) in ("yes", "no")
        ]
    else:
        by_rank: dict[int, list[int]] = {}
        for option_id, raw in row.ranks.items():
            if not raw:
                continue
            if not ID_RE.fullmatch(raw) or not 1 <= int(raw) <= len(labels):
                row.error = _(
                    "Stimmzettel %(n)d: „%(value)s“ bei %(option)s ist kein Rang "
                    "von 1 bis %(max)d.",
                    n=number,
                    value=raw,
                    option=labels[option_id],
                    max=len(labels),
                )
                return None
            by_rank.setdefault(int(raw), []).append(option_id)
        for rank, ids in sorted(by_rank.items()):
            if len(ids) > 1:
                row.error = _(
                    "Stimmzettel %(n)d: Rang %(rank)d ist mehrfach vergeben "
                    "(%(options)s).",
                    n=number,
                    rank=rank,
                    options=", ".join(labels[i] for i in ids),
                )
                return None
        # In order of the numbers written; a gap is no error (as online).
        choices = [ids[0] for _rank, ids in sorted(by_rank.items())]
    if row.blank and choices:
        row.error = _(
            "Stimmzettel %(n)d: als leer/ungültig markiert und zugleich mit "
            "Stimmen; bitte eins von beiden.",
            n=number,
        )
        return None
    return choices


def _render(meeting, poll, rows, ticked, errors, status=200):
    in_room = [
        p for p in attendance.present_members(db.session, meeting) if p["in_room"]
    ]
    return render_template(
        "meetings/paper_ballots.html",
        meeting=meeting,
        poll=poll,
        options=[(o.id, polls.option_label(poll, o.label)) for o in poll.options],
        in_room=in_room,
        ticked=ticked,
        rows=rows,
        errors=errors,
        confirm=ConfirmForm(),
    ), status


@bp.route(
    "/<int:meeting_id>/votes/<int:poll_id>/paper-ballots", methods=["GET", "POST"]
)
@member_required
def paper_ballots(meeting_id: int, poll_id: int):
    """Enter the paper ballots of a vote one by one (BALLOT_PAPER_KINDS)."""
    meeting, poll = _load(meeting_id, poll_id)
    room = url_for("meetings.detail", meeting_id=meeting.id) + "#vote"
    summary = polls.vote_summary(db.session, poll)
    if poll.kind not in polls.BALLOT_PAPER_KINDS:
        abort(404)
    if summary["status"] != "open" or poll.paper_ballots is not None:
        flash(
            _("Die Papierstimmen dieser Abstimmung sind bereits erfasst.")
            if poll.paper_ballots is not None
            else _("Diese Abstimmung ist nicht geöffnet."),
            "info",
        )
        return redirect(room)
    if request.method == "GET":
        in_room = len(attendance.in_room_ids(db.session, meeting.id))
        return _render(
            meeting, poll, [Row() for _i in range(max(in_room, 1))], set(), []
        )
    if not ConfirmForm().validate_on_submit():
        flash(_("Die Sitzung ist abgelaufen. Bitte versuche es noch einmal."), "error")
        return redirect(request.path)
    shown = request.form.get("rows", "")
    count = min(int(shown), MAX_ROWS) if ID_RE.fullmatch(shown) else 1
    rows = _rows_from_form(poll, max(count, 1))
    ticked = {
        int(v)
        for v in request.form.getlist("member_id")
        if ID_RE.fullmatch(v) and int(v) <= MAX_ID
    }
    if request.form.get("action") == "more":
        rows += [Row() for _i in range(min(MORE_ROWS, MAX_ROWS - len(rows)))]
        return _render(meeting, poll, rows, ticked, [])
    ballots, numbers = [], []
    for i, row in enumerate(rows):
        if not row.touched:
            continue  # a row left empty is no ballot
        ballot = _ballot(poll, i + 1, row)
        if ballot is not None:
            ballots.append(ballot)
            numbers.append(i)
    errors = [row.error for row in rows if row.error]
    if not errors:
        try:
            polls.check_paper_ballots(poll, ballots, [n + 1 for n in numbers])
        except DomainError as err:
            db.session.rollback()
            for key, message in err.context.get("fields", {}).items():
                rows[numbers[int(key.split(".")[1])]].error = message
            errors = [row.error for row in rows if row.error]
    if not errors:
        try:
            votes.paper_ballots(
                db.session, current_user, meeting, poll.id, sorted(ticked), ballots
            )
        except DomainError as err:
            db.session.rollback()
            errors = [err.message]
        else:
            flash(_("Die Papierstimmen sind gezählt."), "success")
            return redirect(room)
    return _render(meeting, poll, rows, ticked, errors, 422)
