"""The organisers' button that opens the list of nominations again after a
round that left seats open (plain form; no JavaScript needed)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from ortsverein.auth.decorators import member_required
from ortsverein.db import db
from ortsverein.i18n import _
from ortsverein.local_time import to_utc
from ortsverein.web import back_to, load

from . import bp, services
from .forms import ReopenForm


@bp.route("/<int:election_id>/reopen-nominations", methods=["POST"])
@member_required
def reopen_nominations(election_id: int):
    election = load(services.get_election, election_id)
    target = url_for("elections.detail", election_id=election.id)
    back_to(target)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Bitte gib ein gültiges Ende der Vorschlagsfrist an."), "error")
        return redirect(target)
    services.reopen_nominations(
        db.session, current_user, election, to_utc(form.closes_at.data)
    )
    flash(_("Die Vorschlagsliste ist wieder offen."), "success")
    return redirect(target)
