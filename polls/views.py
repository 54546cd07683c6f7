"""Poll pages for organisers: list, detail, create, edit, schedule, extend, copy."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from models import RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import NotFound, ValidationFailed
from ortsverein.i18n import _
from ortsverein.local_time import to_local, to_utc
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import orgs_with_role
from ortsverein.web import back_to, load

from . import ballot_keys, bp, casting, escrow, recurring, services, visibility
from . import presets as rule_presets
from .forms import (
    KIND_FIELDS,
    ExtendForm,
    PollForm,
    PresetForm,
    kind_hints,
    majority_choices,
)
from .lifecycle import ensure_current
from .records import not_counted_yet
from .state import status

LIST_STATES = ("open", "upcoming", "closed", "")


def load_poll(poll_id: int):
    """The poll if the member may see it (404 otherwise), with due transitions done."""
    poll = load(visibility.get_poll, poll_id)
    ensure_current(db.session, poll)
    return poll


def owner_notes(poll) -> list[dict]:
    """What the feature that owns a poll says of it on the poll's pages (an
    election's round: the election's outcome, which the poll's plain tally does
    not know), from the POLL_PAGE_HOOKS features register in their init_app (polls
    cannot import them). A hook returns None, or {title, lines, url, link}, and
    itself checks that the member may see what it links to."""
    notes = []
    for hook in current_app.config.get("POLL_PAGE_HOOKS", []):
        note = hook(db.session, poll, current_user)
        if note:
            notes.append(note)
    return notes


@bp.route("/")
@member_required
def index():
    state = request.args.get("state", "open")
    state = "" if state == "all" else state if state in LIST_STATES else "open"
    page, per_page = parse_page_args(request.args, 20)
    result = visibility.list_polls(
        db.session, current_user, state=state, page=page, per_page=per_page
    )
    voted = visibility.voted_ids(db.session, current_user, result.items)
    return render_template(
        "polls/index.html",
        page=result,
        state=state,
        voted=voted,
        eligible=visibility.eligible_ids(db.session, current_user, result.items),
        status=status,
        can_create=bool(visibility.organiser_orgs(current_user)),
    )


@bp.route("/<int:poll_id>")
@member_required
def detail(poll_id: int):
    poll = load_poll(poll_id)
    state = status(poll)
    opened = poll.opened_at is not None
    return render_template(
        "polls/detail.html",
        poll=poll,
        state=state,
        voted=casting.has_voted(db.session, poll, current_user),
        eligible=opened and casting.is_eligible(db.session, poll, current_user),
        ballots_cast=casting.turnout(db.session, poll) if opened else None,
        organiser=visibility.can_organise(current_user, poll.organisation),
        key_lost=poll.closed_at is None
        and poll.key_missing_at is not None
        and not ballot_keys.has_key(poll.id),
        not_counted=not_counted_yet(poll) if poll.closed_at is None else "",
        confirm_form=ConfirmForm(),
        extend_form=ExtendForm(closes_at=to_local(poll.closes_at)),
        escrow_holders=escrow.holders(db.session, poll)
        if poll.escrow_threshold
        else [],
        share_waiting=escrow.share_waiting(db.session, poll, current_user),
        owner_notes=owner_notes(poll),
    )


@bp.route("/<int:poll_id>/key-share", methods=["POST"])
@member_required
def key_share(poll_id: int):
    """A share holder picks up their share of the poll's key: shown this once."""
    poll = load_poll(poll_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    words = escrow.pick_up(db.session, poll, current_user)
    response = make_response(
        render_template("polls/key_share.html", poll=poll, words=words.split())
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_input(form: PollForm) -> services.PollInput:
    return services.PollInput(
        org_id=form.org.data,
        title=form.title.data or "",
        body=form.body.data or "",
        kind=form.kind.data,
        options=form.option_labels(),
        secret=form.secret.data,
        opens_at=to_utc(form.opens_at.data),
        closes_at=to_utc(form.closes_at.data),
        quorum_percent=form.quorum_percent.data or Decimal(0),
        majority=form.majority.data,
        min_choices=(form.min_choices.data or 0) if form.needs("min_choices") else 0,
        max_choices=(form.max_choices.data or 1) if form.needs("max_choices") else 1,
        preset_id=int(form.preset.data) if form.preset.data else None,
        repeat=form.repeat.data,
        escrow_threshold=form.escrow_threshold.data,
    )


def _presets():
    orgs = visibility.organiser_orgs(current_user)
    seen, presets = set(), []
    for org in orgs:
        for preset in rule_presets.presets_for(db.session, org):
            if preset.id not in seen:
                seen.add(preset.id)
                presets.append(preset)
    return orgs, presets


def _preset_applied(poll, presets) -> str:
    """The preset whose rule the draft carries (a poll stores the rule, not the
    preset), so saving the draft again keeps it; "" for values typed by hand."""
    for preset in presets:
        if (
            poll.rule_name
            and (preset.name, preset.statute_reference)
            == (poll.rule_name, poll.statute_reference)
            and (preset.quorum_percent, preset.majority)
            == (poll.quorum_percent, poll.majority)
        ):
            return str(preset.id)
    return ""


def _changing_kind(form: PollForm) -> bool:
    """The form was sent to show the fields of another kind (without JavaScript):
    nothing is checked or saved, everything typed is shown again."""
    return request.method == "POST" and "change_kind" in request.form


def _render_form(form: PollForm, poll):
    refused = request.method == "POST" and not _changing_kind(form)
    return render_template(
        "polls/form.html",
        form=form,
        poll=poll,
        kind_fields={k: " ".join(sorted(v)) for k, v in KIND_FIELDS.items()},
    ), (422 if refused else 200)


def _save(form: PollForm, action):
    """Validate and save; errors stay on the form with everything typed kept."""
    if _changing_kind(form) or not form.validate_on_submit():
        return None
    try:
        return action(_form_input(form))
    except ValidationFailed as err:
        db.session.rollback()
        for name, message in err.context.get("fields", {}).items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, message]
        flash(err.message, "error")
    return None


@bp.route("/new", methods=["GET", "POST"])
@member_required
def create():
    orgs, presets = _presets()
    if not orgs:
        abort(404)
    form = PollForm().setup(orgs, presets)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        if kind not in KIND_FIELDS:
            # The first step (no JavaScript needed): which kind of poll?
            return render_template(
                "polls/kind_step.html", choices=form.kind.choices, hints=kind_hints()
            )
        form.kind.data = kind
    poll = _save(
        form, lambda data: services.create_poll(db.session, current_user, data)
    )
    if poll is not None:
        flash(
            _("Der Entwurf ist gespeichert. Prüfe ihn und plane ihn dann ein."),
            "success",
        )
        return redirect(url_for("polls.detail", poll_id=poll.id))
    return _render_form(form, None)


@bp.route("/<int:poll_id>/edit", methods=["GET", "POST"])
@member_required
def edit(poll_id: int):
    poll = load_poll(poll_id)
    if not visibility.can_organise(current_user, poll.organisation):
        abort(404)
    orgs, presets = _presets()
    form = PollForm(obj=None if request.method == "POST" else poll).setup(orgs, presets)
    # A draft keeps its organisation: the form does not offer it, so it is set here.
    form.org.choices = [SelectChoice(str(poll.organisation_id), "")]
    form.org.data = poll.organisation_id
    if request.method == "GET":
        form.preset.data = _preset_applied(poll, presets)
        form.kind.data = poll.kind.value
        form.majority.data = poll.majority.value
        form.repeat.data = poll.repeat.value
        form.options.data = "\n".join(o.label for o in poll.options)
        form.opens_at.data, form.closes_at.data = (
            to_local(poll.opens_at),
            to_local(poll.closes_at),
        )
    back_to(url_for("polls.detail", poll_id=poll.id))  # say, it was scheduled meanwhile
    saved = _save(
        form,
        lambda data: services.update_draft(db.session, current_user, poll, data),
    )
    if saved is not None:
        flash(_("Der Entwurf ist gespeichert."), "success")
        return redirect(url_for("polls.detail", poll_id=poll.id))
    return _render_form(form, poll)


def _organiser_action(poll_id: int, action, success: str):
    poll = load_poll(poll_id)
    back_to(url_for("polls.detail", poll_id=poll.id))
    result = action(poll)
    flash(success, "success")
    return redirect(url_for("polls.detail", poll_id=getattr(result, "id", poll.id)))


@bp.route("/<int:poll_id>/schedule", methods=["POST"])
@member_required
def schedule(poll_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _organiser_action(
        poll_id,
        lambda p: services.schedule(db.session, current_user, p),
        _("Die Abstimmung ist eingeplant. Sie öffnet und schließt automatisch."),
    )


@bp.route("/<int:poll_id>/extend", methods=["POST"])
@member_required
def extend(poll_id: int):
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("Bitte gib ein gültiges neues Ende an."), "error")
        return redirect(url_for("polls.detail", poll_id=poll_id))
    return _organiser_action(
        poll_id,
        lambda p: services.extend(
            db.session, current_user, p, to_utc(form.closes_at.data)
        ),
        _("Das Ende ist verschoben; die Verlängerung ist protokolliert."),
    )


@bp.route("/<int:poll_id>/copy", methods=["POST"])
@member_required
def copy(poll_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _organiser_action(
        poll_id,
        lambda p: recurring.copy_poll(db.session, current_user, p),
        _("Eine Kopie ist als Entwurf angelegt."),
    )


@bp.route("/presets", methods=["GET", "POST"])
@member_required
def presets():
    orgs = orgs_with_role(current_user, RoleName.ORGANISER) + orgs_with_role(
        current_user, RoleName.BOARD
    )
    if not orgs:
        abort(404)
    form = PresetForm()
    form.org.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
    form.majority.choices = majority_choices()
    if form.validate_on_submit():
        try:
            rule_presets.create_preset(
                db.session,
                current_user,
                form.org.data,
                form.name.data or "",
                # InputRequired: a validated form holds a number
                cast(Decimal, form.quorum_percent.data),
                form.majority.data,
                form.statute_reference.data or "",
            )
        except NotFound:
            abort(404)
        except ValidationFailed as err:
            db.session.rollback()
            flash(err.message, "error")
        else:
            flash(_("Die Regel ist gespeichert."), "success")
            return redirect(url_for("polls.presets"))
    existing = {o.id: rule_presets.presets_for(db.session, o) for o in orgs}
    return render_template(
        "polls/presets.html",
        form=form,
        orgs=orgs,
        existing=existing,
        majority_labels={c.value: c.label for c in majority_choices()},
    ), (422 if request.method == "POST" else 200)


@bp.route("/badge.json")
@member_required
def badge():
    """The open-polls count for the navigation badge (refreshed live by live.js)."""
    return jsonify(open_polls=visibility.open_poll_count(db.session, current_user))


def panel(session, member) -> dict:
    """The home page panel: the open polls, those awaiting the member's vote apart
    (shown under "Jetzt dran", soonest closing first)."""
    polls = services.open_polls_for(session, member)
    return {
        "order": 20,
        "awaiting": [p for p in polls if p.awaiting],
        "others": [p for p in polls if not p.awaiting],
    }
