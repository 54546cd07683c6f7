"""Cancel a scheduled poll, delete a draft, stop a regular series: a page that asks
for confirmation, then the action (web), and the same through the JSON API."""

from __future__ import annotations

from flask import Response, abort, flash, g, jsonify, redirect, render_template, url_for
from flask_login import current_user

from ortsverein.api import token_required
from ortsverein.auth.decorators import member_required
from ortsverein.auth.forms import ConfirmForm
from ortsverein.db import db, write_intent
from ortsverein.i18n import _
from ortsverein.web import back_to

from . import bp, services, visibility
from .api import _poll, poll_json
from .api import bp as api_bp
from .views import load_poll

ACTIONS = ("cancel", "delete", "stop-series")


def _texts(action: str, title: str) -> tuple[str, str, str]:
    """Heading, question and button of the confirmation page."""
    if action == "cancel":
        return (
            _("Abstimmung absagen"),
            _(
                "Soll „%(t)s“ abgesagt werden? Sie öffnet dann nicht; wer hätte "
                "abstimmen können, wird benachrichtigt. Das lässt sich nicht "
                "rückgängig machen.",
                t=title,
            ),
            _("Ja, absagen"),
        )
    if action == "delete":
        return (
            _("Entwurf löschen"),
            _(
                "Soll der Entwurf „%(t)s“ gelöscht werden? Das Protokoll behält "
                "nur, dass es ihn gab.",
                t=title,
            ),
            _("Ja, löschen"),
        )
    return (
        _("Regelmäßige Abstimmung beenden"),
        _(
            "Soll die Reihe „%(t)s“ enden? Es wird keine weitere Abstimmung "
            "angelegt; bereits geplante bleiben bestehen und lassen sich einzeln "
            "absagen.",
            t=title,
        ),
        _("Ja, Reihe beenden"),
    )


@bp.route("/<int:poll_id>/<any(cancel, delete, 'stop-series'):action>")
@member_required
def confirm(poll_id: int, action: str):
    poll = load_poll(poll_id)
    if not visibility.can_organise(current_user, poll.organisation):
        abort(404)
    heading, question, button = _texts(action, poll.title)
    return render_template(
        "polls/confirm.html",
        poll=poll,
        action=action,
        heading=heading,
        question=question,
        button=button,
        form=ConfirmForm(),
    )


@bp.route(
    "/<int:poll_id>/<any(cancel, delete, 'stop-series'):action>", methods=["POST"]
)
@member_required
def withdraw(poll_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    poll = load_poll(poll_id)
    back_to(url_for("polls.detail", poll_id=poll.id))
    if action == "cancel":
        services.cancel(db.session, current_user, poll)
        flash(_("Die Abstimmung ist abgesagt."), "success")
    elif action == "delete":
        services.delete_draft(db.session, current_user, poll)
        flash(_("Der Entwurf ist gelöscht."), "success")
        return redirect(url_for("polls.index", state="upcoming"))
    else:
        services.stop_series(db.session, current_user, poll)
        flash(_("Die Reihe ist beendet; es folgt keine weitere Abstimmung."), "success")
    return redirect(url_for("polls.detail", poll_id=poll.id))


@api_bp.route("/polls/<int:poll_id>/cancel", methods=["POST"])
@token_required
def api_cancel(poll_id: int):
    """Cancel a scheduled poll.
    ---
    post:
      summary: Cancel a scheduled poll that has not opened (organisers); those
        who could have voted are notified
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: The cancelled poll, content: {application/json:
              {schema: Poll}}}
        404: {description: Unknown poll or not its organiser}
        409: {description: "poll_not_editable: not scheduled, or already open",
              content: {application/json: {schema: Error}}}
    """
    poll = _poll(poll_id)
    with write_intent():
        services.cancel(db.session, g.api_member, poll)
    return jsonify(poll_json(poll, g.api_member, False))


@api_bp.route("/polls/<int:poll_id>", methods=["DELETE"])
@token_required
def api_delete(poll_id: int):
    """Delete a draft.
    ---
    delete:
      summary: Delete a draft poll (organisers); the audit log keeps the event
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        204: {description: Deleted}
        404: {description: Unknown poll or not its organiser}
        409: {description: "poll_not_editable: not a draft",
              content: {application/json: {schema: Error}}}
    """
    poll = _poll(poll_id)
    with write_intent():
        services.delete_draft(db.session, g.api_member, poll)
    return Response(status=204)


@api_bp.route("/polls/<int:poll_id>/stop-series", methods=["POST"])
@token_required
def api_stop_series(poll_id: int):
    """Stop a regular series.
    ---
    post:
      summary: Stop the monthly or quarterly series this poll belongs to
        (organisers); polls already scheduled stay
      tags: [polls]
      parameters: [{in: path, name: poll_id, required: true, schema: {type: integer}}]
      responses:
        200: {description: The poll, content: {application/json: {schema: Poll}}}
        404: {description: Unknown poll or not its organiser}
        409: {description: "poll_not_editable: not part of a running series",
              content: {application/json: {schema: Error}}}
    """
    poll = _poll(poll_id)
    with write_intent():
        services.stop_series(db.session, g.api_member, poll)
    return jsonify(poll_json(poll, g.api_member))
