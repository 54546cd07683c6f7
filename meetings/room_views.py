"""The meeting room's forms: every action works as a plain POST without JavaScript
(the script sends the same actions over the socket)."""

from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import Conflict, DomainError, ValidationFailed
from ortsverein.i18n import _
from ortsverein.realtime import MAX_ID
from ortsverein.web import back_to
from polls import services as polls

from . import agenda, attendance, bp, services, speakers, votes
from .access import is_chair
from .actions import ACTIONS, FORM_ACTIONS, perform
from .forms import ItemForm, RoomMemberForm, VoteForm
from .views import PAPER_DRAFT, load_meeting


def _back(meeting_id: int, anchor: str = ""):
    """The room page at `anchor`; also where a refused action returns to."""
    target = url_for("meetings.detail", meeting_id=meeting_id) + anchor
    back_to(target)
    return redirect(target)


def _run(meeting_id: int, action, success: str | None, anchor: str = ""):
    """Check the CSRF token, run the action, flash the outcome, go back."""
    meeting = load_meeting(meeting_id)
    back = _back(meeting.id, anchor)
    if not ConfirmForm().validate_on_submit():
        flash(_("Die Sitzung ist abgelaufen. Bitte versuche es noch einmal."), "error")
        return back
    action(meeting)
    if success:
        flash(success, "success")
    return back


@bp.route(
    f"/<int:meeting_id>/actions/<any({', '.join(FORM_ACTIONS)}):action>",
    methods=["POST"],
)
@member_required
def act(meeting_id: int, action: str):
    """One of the room's actions (actions.py) as a plain form."""
    return _run(
        meeting_id,
        lambda m: perform(db.session, current_user, m, action, request.form.to_dict()),
        str(ACTIONS[action].done),
        ACTIONS[action].anchor,
    )


@bp.route("/<int:meeting_id>/items/<int:item_id>/open", methods=["POST"])
@member_required
def open_item(meeting_id: int, item_id: int):
    return _run(
        meeting_id,
        lambda m: agenda.set_current_item(db.session, current_user, m, item_id),
        _("Der Punkt ist aufgerufen."),
    )


@bp.route("/<int:meeting_id>/items", methods=["POST"])
@member_required
def add_item(meeting_id: int):
    form = ItemForm(prefix="item")
    meeting = load_meeting(meeting_id)
    back = _back(meeting.id, "#agenda")
    if not form.validate_on_submit():
        flash(_("Bitte gib dem Punkt einen Titel (höchstens 200 Zeichen)."), "error")
        return back
    agenda.add_item(
        db.session, current_user, meeting, form.title.data or "", form.body.data or ""
    )
    flash(_("Der Punkt ist auf der Tagesordnung."), "success")
    return back


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@member_required
def cancel(meeting_id: int):
    return _run(
        meeting_id,
        lambda m: services.cancel(db.session, current_user, m),
        _("Die Sitzung ist abgesagt."),
    )


@bp.route("/<int:meeting_id>/speakers/<int:request_id>/remove", methods=["POST"])
@member_required
def remove_speaker(meeting_id: int, request_id: int):
    return _run(
        meeting_id,
        lambda m: speakers.remove(db.session, current_user, m, request_id),
        _("Die Wortmeldung ist gestrichen."),
        "#speakers",
    )


@bp.route("/<int:meeting_id>/room-attendance", methods=["POST"])
@member_required
def room_check_in(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = RoomMemberForm()
    form.member_id.validate_choice = False  # any id; the service checks it
    if (
        not form.validate_on_submit()
        or not form.member_id.data
        or not 0 < form.member_id.data <= MAX_ID
    ):
        flash(_("Bitte wähle ein Mitglied."), "error")
        return _back(meeting.id, "#attendance")
    return _run(
        meeting_id,
        lambda m: attendance.room_check_in(
            db.session, current_user, m, form.member_id.data
        ),
        _("Im Saal anwesend eingetragen."),
        "#attendance",
    )


@bp.route("/<int:meeting_id>/room-attendance/<int:member_id>/remove", methods=["POST"])
@member_required
def room_check_out(meeting_id: int, member_id: int):
    return _run(
        meeting_id,
        lambda m: attendance.room_check_out(db.session, current_user, m, member_id),
        _("Aus dem Saal abgemeldet."),
        "#attendance",
    )


@bp.route("/<int:meeting_id>/votes", methods=["POST"])
@member_required
def start_vote(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = VoteForm(prefix="vote").setup()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return _back(meeting.id, "#vote")
    data = polls.PollInput(
        org_id=meeting.organisation_id,
        title=form.title.data,
        body="",
        kind=form.kind.data,
        options=(form.options.data or "").splitlines(),
        secret=form.secret.data,
        opens_at=meeting.starts_at,
        closes_at=meeting.ends_at,
        quorum_percent=form.quorum_percent.data or Decimal(0),
        majority=form.majority.data,
        min_choices=0,
        max_choices=form.max_choices.data or 1,
    )
    return _run(
        meeting_id,
        lambda m: votes.start_vote(db.session, current_user, m, data),
        _("Die Abstimmung läuft. Stimmberechtigt sind alle jetzt Anwesenden."),
        "#vote",
    )


@bp.route("/<int:meeting_id>/votes/<int:poll_id>/close", methods=["POST"])
@member_required
def close_vote(meeting_id: int, poll_id: int):
    return _run(
        meeting_id,
        lambda m: votes.close_vote(db.session, current_user, m, poll_id),
        _("Die Abstimmung ist geschlossen und ausgezählt."),
        "#vote",
    )


def _count(name: str) -> int:
    try:
        value = int(request.form.get(name, "0") or 0)
    except ValueError:
        return -1
    return value if value <= 100_000 else -1


@bp.route("/<int:meeting_id>/votes/<int:poll_id>/paper", methods=["POST"])
@member_required
def paper_votes(meeting_id: int, poll_id: int):
    """The counts of the members who voted on paper in the room."""
    member_ids = [
        int(v)
        for v in request.form.getlist("member_id")
        if v.isdigit() and int(v) <= MAX_ID
    ]

    def record(meeting):
        poll = votes.meeting_vote(db.session, meeting, poll_id)
        counts = {o.id: _count(f"count_{o.id}") for o in poll.options}
        return votes.paper_votes(
            db.session,
            current_user,
            meeting,
            poll_id,
            member_ids,
            counts,
            _count("blank"),
        )

    try:
        return _run(meeting_id, record, _("Die Papierstimmen sind gezählt."), "#vote")
    except (ValidationFailed, Conflict):
        # The room page shows the form again with what was ticked and typed
        # (views.detail takes the draft once).
        session[PAPER_DRAFT] = {
            "poll_id": poll_id,
            "member_ids": member_ids,
            "counts": {
                k: v[:7]
                for k, v in request.form.items()
                if k == "blank" or k.startswith("count_")
            },
        }
        raise


@bp.route("/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@member_required
def edit_item(meeting_id: int, item_id: int):
    """Word an item's title and text (organisers and chairs, until the end)."""
    meeting = load_meeting(meeting_id)
    if not is_chair(current_user, meeting):
        abort(404)
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        try:
            agenda.edit_item(
                db.session,
                current_user,
                meeting,
                item.id,
                form.title.data or "",
                form.body.data or "",
            )
        except DomainError as err:  # stay on the form: the typed text is kept
            db.session.rollback()
            flash(err.message, "error")
        else:
            flash(_("Der Punkt ist gespeichert."), "success")
            return _back(meeting.id, "#agenda")
    return render_template(
        "meetings/item_form.html", meeting=meeting, item=item, form=form
    ), (422 if request.method == "POST" else 200)
