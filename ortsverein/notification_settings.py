"""The member's email settings page (/profile/notifications): email at once, the
digest's frequency, each topic and each forum by email, and the calendar feed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import BooleanField, SelectField, SelectMultipleField

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.widgets import CheckboxInput, ListWidget

from ortsverein.forms import Form

from . import notification_prefs as prefs
from .auth.decorators import member_required
from .auth.forms import ConfirmForm
from .calendar_feed import feed_enabled
from .db import db
from .errors import ValidationFailed
from .i18n import _, _l
from .web import form_errors

bp = Blueprint("notification_settings", __name__, url_prefix="/profile")


class EmailSettingsForm(Form):
    notify_by_email = BooleanField(
        _l(
            "Abstimmungen und Sitzungen sofort per E-Mail (neue Abstimmungen, "
            "Erinnerungen, Änderungen)"
        )
    )
    digest_frequency = SelectField(
        _l("Zusammenfassung der Foren per E-Mail"),
        choices=[
            SelectChoice("off", _l("keine")),
            SelectChoice("daily", _l("täglich")),
            SelectChoice("weekly", _l("wöchentlich")),
        ],
        description=_l(
            "Erwähnungen, Antworten und neue Themen, die du noch nicht gelesen hast."
        ),
    )
    topic_mentions = BooleanField(prefs.TOPIC_LABELS["mentions"])
    topic_replies = BooleanField(prefs.TOPIC_LABELS["replies"])
    topic_new_threads = BooleanField(prefs.TOPIC_LABELS["new_threads"])
    topic_polls = BooleanField(prefs.TOPIC_LABELS["polls"])
    topic_meetings = BooleanField(prefs.TOPIC_LABELS["meetings"])
    forums = SelectMultipleField(
        _l("Foren, aus denen E-Mails kommen"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )


def _form(**kwargs) -> EmailSettingsForm:
    session, member = db.session, current_user
    choices = prefs.forum_choices(session, member)
    if kwargs.get("formdata", True) is None:
        muted = prefs.muted_topics(session, member.id)
        quiet = prefs.muted_forums(session, member.id)
        kwargs.update(
            notify_by_email=member.notify_by_email,
            digest_frequency=prefs.digest_frequency(member),
            forums=[forum_id for forum_id, _name in choices if forum_id not in quiet],
            **{f"topic_{t}": t not in muted for t in prefs.TOPICS},
        )
    form = EmailSettingsForm(**kwargs)
    form.forums.choices = choices
    return form


def _render(form: EmailSettingsForm, status: int = 200):
    return (
        render_template(
            "profile/notifications.html",
            form=form,
            topic_fields=[form[f"topic_{t}"] for t in prefs.TOPICS],
            confirm_form=ConfirmForm(),
            calendar_on=feed_enabled(current_user),
        ),
        status,
    )


@bp.route("/notifications", methods=["GET"])
@member_required
def index():
    return _render(_form(formdata=None))


@bp.route("/notifications", methods=["POST"])
@member_required
def save():
    form = _form()
    if not form.validate_on_submit():
        return _render(form, 422)
    visible = {
        forum_id for forum_id, _name in prefs.forum_choices(db.session, current_user)
    }
    try:
        prefs.update(
            db.session,
            current_user,
            notify_by_email=form.notify_by_email.data,
            digest=form.digest_frequency.data,
            topics={t: bool(form[f"topic_{t}"].data) for t in prefs.TOPICS},
            muted_forum_ids=visible - set(form.forums.data or ()),
        )
    except ValidationFailed as err:
        db.session.rollback()
        form_errors(form, err)
        return _render(form, 422)
    flash(_("Deine Einstellungen sind gespeichert."), "success")
    return redirect(url_for("notification_settings.index"))
