"""Election pages: the list, an election with its candidates, rounds and result,
the form to define one, and the buttons of nominating, consenting, withdrawing,
holding rounds and accepting a seat (plain forms; no JavaScript needed)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from meetings import services as meetings
from models import ElectedSeat, Election, Meeting, Organisation, RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import ValidationFailed
from ortsverein.i18n import _, gettext
from ortsverein.local_time import to_local, to_utc
from ortsverein.permissions import holds_role, orgs_with_role
from ortsverein.web import back_to, load

from . import access, bp, protocol, services
from .forms import (
    ConsentForm,
    ElectionForm,
    NominateForm,
    ReopenForm,
    RoundForm,
    method_choices,
    method_label,
    method_rule,
)


def _election(election_id: int) -> Election:
    election = load(services.get_election, election_id)
    services.refresh(db.session, election)
    return election


@bp.route("/")
@member_required
def index():
    org_id = request.args.get("org", type=int)
    if org_id is not None:
        org = db.session.get(Organisation, org_id)
        if org is None:
            abort(404)
        elections = load(services.organisation_elections, org)
    else:
        org, elections = None, services.visible_elections(db.session, current_user)
    return render_template(
        "elections/index.html",
        org=org,
        elections=elections,
        can_create=holds_role(current_user, RoleName.ORGANISER),
        method_label=method_label,
    )


def _names(election: Election) -> dict[int, str]:
    """Candidacy id -> name, for the count's sentences and tables."""
    return {c.id: c.member.name for c in election.candidacies}


def _explain(result: dict[str, Any], names: dict[int, str]) -> list[str]:
    """The count's explanation in the reader's language, names put in."""
    lines = []
    for sentence in [result.get("rule", {}), *result.get("explanation", [])]:
        if not sentence:
            continue
        values = dict(sentence.get("params", {}))
        for key, ids in sentence.get("candidates", {}).items():
            values[key] = ", ".join(names.get(int(i), "?") for i in ids)
        try:
            lines.append(gettext(sentence["msgid"]) % values)
        except (KeyError, TypeError, ValueError):
            lines.append(sentence.get("msgid", ""))
    return lines


def _rounds(election: Election) -> list[dict[str, Any]]:
    names = _names(election)
    rounds = []
    for rnd in election.rounds:
        result = json.loads(rnd.result_json) if rnd.result_json else None
        first = (result or {}).get("rounds", [{}])
        votes = (first[0] if first else {}).get("votes", {})
        final = (first[-1] if first else {}).get("votes", {})
        rows = [
            {
                "name": names.get(rc.candidacy_id, "?"),
                "votes": votes.get(str(rc.candidacy_id)),
                "final": final.get(str(rc.candidacy_id)),
                "detail": (first[0] if first else {})
                .get("detail", {})
                .get(str(rc.candidacy_id)),
            }
            for rc in rnd.candidates
        ]
        rounds.append(
            {
                "round": rnd,
                "result": result,
                "rows": rows,
                "stages": len(first) if result else 0,
                "explanation": _explain(result, names) if result else [],
            }
        )
    return rounds


@bp.route("/<int:election_id>")
@member_required
def detail(election_id: int):
    election = _election(election_id)
    organiser = services.can_organise(current_user, election.organisation)
    mine = next(
        (c for c in election.candidacies if c.member_id == current_user.id), None
    )
    nominate_form = NominateForm()
    nominate_form.nominee.choices = [
        SelectChoice(m.id, m.name)
        for m in access.eligible_members(db.session, election)
    ]
    nominate_form.nominee.data = current_user.id
    may_nominate = services.may_stand(current_user, election) or organiser
    return render_template(
        "elections/detail.html",
        election=election,
        organiser=organiser,
        mine=mine,
        may_nominate=may_nominate
        and (services.nominations_open(election) or organiser)
        and election.status.value == "nomination",
        nominate_form=nominate_form,
        consent_form=ConsentForm(),
        round_form=RoundForm(),
        confirm_form=ConfirmForm(),
        rounds=_rounds(election),
        running=services.unfinished_round(db.session, election),
        next_candidates=services.next_candidates(election),
        remaining=services.remaining_seats(election),
        method_label=method_label(election.method.value),
        method_rule=method_rule(election.method.value),
        may_download=protocol.may_download(current_user, election),
        may_reopen=organiser and services.may_reopen(db.session, election),
        reopen_form=ReopenForm(),
    )


def _organiser_orgs() -> list[Organisation]:
    return orgs_with_role(current_user, RoleName.ORGANISER)


def _meeting_choices() -> list:
    page = meetings.list_meetings(db.session, current_user, per_page=50)
    return [SelectChoice("", _("Keine: online, für alle Mitglieder"))] + [
        SelectChoice(str(m.id), f"{m.title} ({m.organisation.name})")
        for m in page.items
        if services.can_organise(current_user, m.organisation)
    ]


def _form(orgs: list[Organisation], meeting_id: int | None = None) -> ElectionForm:
    form = ElectionForm()
    form.org.choices = [SelectChoice(o.id, o.name) for o in orgs]
    form.method.choices = method_choices()
    meetings_offered = _meeting_choices()
    if meeting_id and str(meeting_id) not in {str(c.value) for c in meetings_offered}:
        # The election's meeting is no longer listed (ended): kept, never dropped.
        held_in = db.session.get(Meeting, meeting_id)
        meetings_offered.append(
            SelectChoice(str(meeting_id), held_in.title if held_in else "?")
        )
    form.meeting_id.choices = meetings_offered
    return form


def _input(form: ElectionForm) -> services.ElectionInput:
    return services.ElectionInput(
        org_id=form.org.data,
        title=form.title.data or "",
        office=form.office.data or "",
        body=form.body.data or "",
        seats=form.seats.data or 1,
        method=form.method.data or "",
        runoff=form.runoff.data or "top_two",
        min_yes_percent=form.min_yes_percent.data or Decimal(0),
        quota_percent=form.quota_percent.data or Decimal(0),
        secret=bool(form.secret.data),
        statute_reference=form.statute_reference.data or "",
        nominations_open_at=to_utc(form.nominations_open_at.data),
        nominations_close_at=to_utc(form.nominations_close_at.data),
        meeting_id=form.meeting_id.data,
    )


def _save(form: ElectionForm, action) -> Election | None:
    """Validate and save; errors stay on the form with everything typed kept."""
    if not form.validate_on_submit():
        return None
    try:
        election: Election = action(_input(form))
        return election
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
    orgs = _organiser_orgs()
    if not orgs:
        abort(404)
    form = _form(orgs)
    election = _save(
        form, lambda data: services.create_election(db.session, current_user, data)
    )
    if election is not None:
        flash(_("Die Wahl ist angelegt; Vorschläge sind möglich."), "success")
        return redirect(url_for("elections.detail", election_id=election.id))
    status = 422 if request.method == "POST" else 200
    return render_template("elections/form.html", form=form, election=None), status


@bp.route("/<int:election_id>/edit", methods=["GET", "POST"])
@member_required
def edit(election_id: int):
    election = _election(election_id)
    if not services.can_organise(current_user, election.organisation):
        abort(404)
    form = _form([election.organisation], election.meeting_id)
    if request.method == "GET":
        form.process(obj=election)
        form.org.data = election.organisation_id
        form.method.data = election.method.value
        form.runoff.data = election.runoff.value
        form.meeting_id.data = election.meeting_id
        form.nominations_open_at.data = to_local(election.nominations_open_at)
        form.nominations_close_at.data = to_local(election.nominations_close_at)
    saved = _save(
        form,
        lambda data: services.update_election(db.session, current_user, election, data),
    )
    if saved is not None:
        flash(_("Die Wahl ist gespeichert."), "success")
        return redirect(url_for("elections.detail", election_id=election.id))
    status = 422 if request.method == "POST" else 200
    return render_template("elections/form.html", form=form, election=election), status


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _to(election: Election):
    return redirect(url_for("elections.detail", election_id=election.id))


@bp.route("/<int:election_id>/nominate", methods=["POST"])
@member_required
def nominate(election_id: int):
    election = _election(election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    form = NominateForm()
    form.nominee.choices = [
        SelectChoice(m.id, m.name)
        for m in access.eligible_members(db.session, election)
    ]
    if not form.validate_on_submit():
        flash(_("Bitte wähle ein Mitglied aus der Liste."), "error")
        return _to(election)
    candidacy = services.nominate(
        db.session, current_user, election, form.nominee.data, form.statement.data or ""
    )
    if candidacy.consent_at is None:
        flash(
            _(
                "%(name)s ist vorgeschlagen und wird um Zustimmung gebeten.",
                name=candidacy.member.name,
            ),
            "success",
        )
    else:
        flash(_("Deine Kandidatur ist eingetragen."), "success")
    return _to(election)


def _candidacy(candidacy_id: int):
    candidacy = load(services.get_candidacy, candidacy_id)
    back_to(url_for("elections.detail", election_id=candidacy.election_id))
    return candidacy


@bp.route("/candidacies/<int:candidacy_id>/consent", methods=["POST"])
@member_required
def consent(candidacy_id: int):
    candidacy = _candidacy(candidacy_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash(_("Die Vorstellung ist zu lang."), "error")
        return _to(candidacy.election)
    services.consent(db.session, current_user, candidacy, form.statement.data or "")
    flash(_("Du kandidierst. Viel Erfolg!"), "success")
    return _to(candidacy.election)


@bp.route("/candidacies/<int:candidacy_id>/withdraw", methods=["POST"])
@member_required
def withdraw(candidacy_id: int):
    candidacy = _candidacy(candidacy_id)
    _confirmed()
    services.withdraw(db.session, current_user, candidacy)
    flash(_("Die Kandidatur ist zurückgezogen."), "success")
    return _to(candidacy.election)


@bp.route("/<int:election_id>/close-nominations", methods=["POST"])
@member_required
def close_nominations(election_id: int):
    election = _election(election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    _confirmed()
    services.close_nominations(db.session, current_user, election)
    flash(_("Die Vorschlagsliste ist geschlossen."), "success")
    return _to(election)


@bp.route("/<int:election_id>/rounds", methods=["POST"])
@member_required
def start_round(election_id: int):
    election = _election(election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    form = RoundForm()
    if not form.validate_on_submit():
        flash(_("Bitte gib ein gültiges Ende an."), "error")
        return _to(election)
    rnd = services.start_round(
        db.session, current_user, election, to_utc(form.closes_at.data)
    )
    flash(_("Der %(n)d. Wahlgang hat begonnen.", n=rnd.number), "success")
    return _to(election)


@bp.route("/<int:election_id>/rounds/close", methods=["POST"])
@member_required
def close_round(election_id: int):
    election = _election(election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    _confirmed()
    services.close_round(db.session, current_user, election)
    flash(_("Der Wahlgang ist geschlossen und ausgezählt."), "success")
    return _to(election)


@bp.route("/<int:election_id>/finish", methods=["POST"])
@member_required
def finish(election_id: int):
    election = _election(election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    _confirmed()
    services.finish(db.session, current_user, election)
    flash(_("Die Wahl ist abgeschlossen."), "success")
    return _to(election)


@bp.route("/seats/<int:seat_id>/<any(accept, decline):answer>", methods=["POST"])
@member_required
def acceptance(seat_id: int, answer: str):
    seat = db.session.get(ElectedSeat, seat_id)
    if seat is None:
        abort(404)
    election = _election(seat.election_id)
    back_to(url_for("elections.detail", election_id=election.id))
    _confirmed()
    services.record_acceptance(db.session, current_user, seat, answer == "accept")
    flash(_("Die Erklärung ist festgehalten."), "success")
    return _to(election)


def panel(session, member) -> dict:
    """Home page: nominations awaiting the member's consent, and seats they were
    elected to and have not yet accepted or declined."""
    return {
        "order": 25,
        "pending": services.pending_consents(session, member),
        "seats": services.open_acceptances(session, member),
    }
