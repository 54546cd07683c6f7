"""Meeting pages: the list, scheduling and editing, and the meeting room itself."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_timezone
from flask_login import current_user

from discussions import services as forum_services
from models import RoleName, utcnow
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import DomainError, ValidationFailed
from ortsverein.i18n import _
from ortsverein.local_time import to_local, to_utc
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import holds_role, orgs_with_role
from ortsverein.web import form_errors, load

from . import agenda, attendance, bp, services
from .access import can_export, can_organise, get_meeting, status
from .forms import ContributionForm, ItemForm, MeetingForm, RoomMemberForm, VoteForm
from .room_state import member_state

# The session key of a refused paper count (room_views.paper_votes)
PAPER_DRAFT = "meeting_paper_draft"


def load_meeting(meeting_id: int):
    """The meeting, if the member may see it (else a 404)."""
    return load(get_meeting, meeting_id)


@bp.route("/")
@member_required
def index():
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page, per_page = parse_page_args(request.args, 20)
    result = services.list_meetings(
        db.session, current_user, when=when, page=page, per_page=per_page
    )
    return render_template(
        "meetings/index.html",
        page=result,
        when=when,
        status=status,
        can_create=holds_role(current_user, RoleName.ORGANISER),
    )


def _organiser_orgs():
    return orgs_with_role(current_user, RoleName.ORGANISER)


def _forums():
    return [
        f
        for f in db.session.scalars(forum_services.visible_forums_query(current_user))
        if not f.archived
    ]


def _form_input(form: MeetingForm, org_id: int) -> services.MeetingInput:
    return services.MeetingInput(
        org_id=org_id,
        title=form.title.data or "",
        body=form.body.data or "",
        starts_at=to_utc(form.starts_at.data),
        ends_at=to_utc(form.ends_at.data),
        quorum=form.quorum.data or 0,
        speaking_seconds=int((form.speaking_minutes.data or 3) * 60),
        alternating=form.alternating.data,
        chair_emails=(form.chairs.data or "").split(","),
        items=[
            services.ItemInput(title=line.strip())
            for line in (form.agenda.data or "").splitlines()
            if line.strip()
        ],
        forum_id=int(form.forum.data) if form.forum.data else None,
    )


def _save(form: MeetingForm, org_id, action):
    """Validate and save; errors stay on the form with everything typed kept."""
    if not form.validate_on_submit():
        return None
    try:
        return action(_form_input(form, org_id))
    except ValidationFailed as err:
        db.session.rollback()
        fields = {
            "items": "agenda",
            "forum_id": "forum",
            "speaking_seconds": ("speaking_minutes"),
        }
        for name, message in err.context.get("fields", {}).items():
            field = getattr(form, fields.get(name, name), None)
            if field is not None:
                field.errors = [*field.errors, message]
        flash(err.message, "error")
    except DomainError as err:  # say, the meeting was opened meanwhile: the
        db.session.rollback()  # form stays, with everything typed kept
        flash(err.message, "error")
    return None


@bp.route("/new", methods=["GET", "POST"])
@member_required
def create():
    orgs = _organiser_orgs()
    if not orgs:
        abort(404)
    form = MeetingForm().setup(orgs, _forums())
    if request.method == "GET":
        start = (to_local(utcnow()) + timedelta(days=7)).replace(
            hour=19, minute=30, second=0, microsecond=0
        )
        form.starts_at.data, form.ends_at.data = start, start + timedelta(hours=2)
    meeting = _save(
        form,
        form.org.data,
        lambda data: services.create_meeting(db.session, current_user, data),
    )
    if meeting is not None:
        flash(_("Die Sitzung ist geplant. Verschicke nun die Einladung."), "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None), (
        422 if request.method == "POST" else 200
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@member_required
def edit(meeting_id: int):
    meeting = load_meeting(meeting_id)
    if not can_organise(current_user, meeting.organisation):
        abort(404)
    form = MeetingForm(obj=meeting).setup([meeting.organisation], _forums())
    del form.org  # the organisation stays; the page does not offer it
    if request.method == "GET":
        form.starts_at.data = to_local(meeting.starts_at)
        form.ends_at.data = to_local(meeting.ends_at)
        form.speaking_minutes.data = meeting.speaking_seconds / 60
        form.agenda.data = "\n".join(i.title for i in meeting.items)
        form.chairs.data = ", ".join(c.member.email for c in meeting.chairs)
    result = _save(
        form,
        meeting.organisation_id,
        lambda data: services.update_meeting(db.session, current_user, meeting, data),
    )
    if result is not None:
        flash(_("Die Sitzung ist gespeichert."), "success")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting), (
        422 if request.method == "POST" else 200
    )


@bp.route("/<int:meeting_id>", methods=["GET", "POST"])
@member_required
def detail(meeting_id: int):
    """The meeting room: a page of forms that works without JavaScript; the
    script makes it live (and asks for `?partial=1`, the sections alone, after
    each change). A POST is a contribution to the current item's discussion."""
    meeting = load_meeting(meeting_id)
    post_form = ContributionForm()
    if request.method == "POST":
        response = _discuss(meeting, post_form)
        if response is not None:
            return response
    state = member_state(db.session, meeting, current_user)
    chair = state["me"]["chair"]
    context = {
        "meeting": meeting,
        "state": state,
        "chair": chair,
        "present": attendance.present_members(db.session, meeting) if chair else [],
        "confirm": ConfirmForm(),
        "vote_form": VoteForm(formdata=None, prefix="vote").setup() if chair else None,
        "item_form": ItemForm(formdata=None, prefix="item") if chair else None,
        "room_form": _room_form(meeting) if chair else None,
        "post_form": post_form,
        # A refused paper count's ticks and numbers, shown once on the full page.
        "paper_draft": (
            session.pop(PAPER_DRAFT, None)
            if chair and not request.args.get("partial")
            else None
        ),
    }
    status_code = 422 if request.method == "POST" else 200
    if request.args.get("partial"):
        return render_template("meetings/_room_sections.html", **context), status_code
    return render_template(
        "meetings/room.html",
        organiser=can_organise(current_user, meeting.organisation),
        board=can_export(current_user, meeting),
        time_zone=str(get_timezone()),  # meeting.js: times of posts that arrive live
        room_links=services.room_links(db.session, current_user, meeting),
        **context,
    ), status_code


def _room_form(meeting):
    """Members the chair can record as sitting in the room: those not present, found
    by name or email (`?member_q=`) in a large organisation."""
    if status(meeting) != "running":
        return None
    form = RoomMemberForm(formdata=None)
    present = set(attendance.present_ids(db.session, meeting.id))
    query = request.args.get("member_q", "")[:100]
    form.member_id.choices = [
        (m.id, f"{m.name} ({m.email})")
        for m in attendance.eligible_members(db.session, meeting, query)
        if m.id not in present
    ]
    return form


def _discuss(meeting, form: ContributionForm):
    """Post into the thread of the item the member was reading when they wrote
    (the chair may have moved on meanwhile); on an error the text stays in the box."""
    threads = {i.thread_id for i in meeting.items if i.thread_id}
    thread_id = request.form.get("thread_id", type=int)
    if thread_id not in threads:
        item = agenda.current_item(meeting)
        thread_id = item.thread_id if item else None
    if thread_id is None:
        flash(_("Zu diesem Punkt gibt es keine Diskussion."), "error")
        return None
    if not form.validate_on_submit():
        return None
    try:
        forum_services.create_post(
            db.session, current_user, thread_id, form.body.data or ""
        )
    except DomainError as err:  # the page shows it, with the text kept in the box
        db.session.rollback()
        form_errors(form, err)
        return None
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#discussion")


@bp.route("/<int:meeting_id>/discussion", methods=["POST"])
@member_required
def discuss(meeting_id: int):
    """The discussion form's own address (the same handling as the room page)."""
    return detail(meeting_id)


def panel(session, member) -> dict:
    """Home page panel: the next meetings the member may attend."""
    running, planned = services.home_meetings(session, member)
    return {"order": 10, "running": running, "planned": planned}
