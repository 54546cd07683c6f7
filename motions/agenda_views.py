"""A meeting's motions: the agenda items with the motions they list, a form for the
chair or organisers to list a motion on an item (or take it off), and for each
listed motion its votes with the chair's buttons, so the chair runs the votes
from one page while the room follows live."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from meetings import services as meetings
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.i18n import _
from ortsverein.web import back_to, load

from . import bp, services
from .forms import AgendaForm


def _meeting(meeting_id: int):
    meeting = load(meetings.get_meeting, meeting_id)
    back_to(url_for("motions.meeting_motions", meeting_id=meeting.id))
    return meeting


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@member_required
def meeting_motions(meeting_id: int):
    meeting = _meeting(meeting_id)
    planner = services.may_plan_agenda(current_user, meeting)
    form = AgendaForm()
    form.item.choices = [
        (i.id, f"{n}. {i.title}") for n, i in enumerate(meeting.items, start=1)
    ]
    form.motion.choices = [
        (m.id, f"{m.number}: {m.title}")
        for m in services.agenda_candidates(db.session, meeting)
    ]
    if request.method == "POST":
        if not planner:
            abort(404)
        if form.validate_on_submit():
            services.list_on_agenda(
                db.session, current_user, meeting, form.item.data, form.motion.data
            )
            flash(_("Der Antrag steht auf der Tagesordnung."), "success")
            return redirect(url_for("motions.meeting_motions", meeting_id=meeting.id))
        flash(_("Bitte wähle einen Punkt und einen Antrag."), "error")
    listed = services.agenda_entries(db.session, meeting)
    panels = {}
    for motions in listed.values():
        for motion in motions:
            services.refresh_decisions(db.session, motion)
            panels[motion.id] = services.vote_panel(db.session, current_user, motion)
    return render_template(
        "motions/meeting.html",
        meeting=meeting,
        listed=listed,
        panels=panels,
        form=form if planner and form.motion.choices and form.item.choices else None,
        planner=planner,
        confirm=ConfirmForm(),
    ), (422 if request.method == "POST" else 200)


@bp.route(
    "/meetings/<int:meeting_id>/items/<int:item_id>/motions/<int:motion_id>/remove",
    methods=["POST"],
)
@member_required
def unlist_motion(meeting_id: int, item_id: int, motion_id: int):
    meeting = _meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Das Formular ist abgelaufen; bitte versuche es erneut."), "error")
    else:
        services.unlist_from_agenda(
            db.session, current_user, meeting, item_id, motion_id
        )
        flash(_("Der Antrag ist von der Tagesordnung genommen."), "success")
    return redirect(url_for("motions.meeting_motions", meeting_id=meeting.id))
