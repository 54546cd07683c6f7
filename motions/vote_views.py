"""Forms that put a motion to the vote: the motion committee's member poll, and
the meeting chair's live votes (each accepted amendment, then the motion as
amended). Refusals are shown on the motion page (error_pages.handle_domain)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from models import MotionAmendment
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db
from ortsverein.errors import ValidationFailed
from ortsverein.i18n import _
from ortsverein.local_time import to_utc
from ortsverein.web import back_to, load

from . import bp, services
from .forms import VoteForm


def _motion(motion_id: int):
    motion = load(services.get_motion, motion_id)
    back_to(url_for("motions.motion", motion_id=motion.id))
    return motion


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        raise ValidationFailed(
            _("Das Formular ist abgelaufen; bitte versuche es erneut.")
        )


@bp.route("/<int:motion_id>/vote", methods=["POST"])
@member_required
def start_poll(motion_id: int):
    """The motion committee starts a member poll on the motion."""
    motion = _motion(motion_id)
    form = VoteForm()
    if not form.validate_on_submit():
        raise ValidationFailed(
            _("Bitte gib an, wann die Abstimmung endet (in der Zukunft)."),
            fields={"closes_at": _("Bitte gib ein gültiges Ende an.")},
        )
    services.start_vote(
        db.session, current_user, motion, closes_at=to_utc(form.closes_at.data)
    )
    flash(_("Die Abstimmung über den Antrag hat begonnen."), "success")
    return redirect(url_for("motions.motion", motion_id=motion.id))


@bp.route("/<int:motion_id>/vote/live", methods=["POST"])
@bp.route("/<int:motion_id>/amendments/<int:amendment_id>/vote", methods=["POST"])
@member_required
def start_live_vote(motion_id: int, amendment_id: int | None = None):
    """The meeting's chair starts the live vote on an amendment or the motion."""
    motion = _motion(motion_id)
    _confirmed()
    amendment = None
    if amendment_id is not None:
        amendment = db.session.get(MotionAmendment, amendment_id)
        if amendment is None or amendment.motion_id != motion.id:
            abort(404)
    services.start_vote(db.session, current_user, motion, amendment=amendment)
    flash(_("Die Abstimmung läuft; der Saal sieht sie live."), "success")
    return redirect(url_for("motions.motion", motion_id=motion.id))


@bp.route("/<int:motion_id>/vote/close", methods=["POST"])
@member_required
def close_live_vote(motion_id: int):
    """The chair closes the running live vote; its result decides at once."""
    motion = _motion(motion_id)
    _confirmed()
    services.close_vote(db.session, current_user, motion)
    flash(_("Die Abstimmung ist geschlossen und ausgezählt."), "success")
    return redirect(url_for("motions.motion", motion_id=motion.id))
