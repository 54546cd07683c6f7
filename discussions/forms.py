"""Forms of the forum pages."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.markdown import MARKDOWN_HINT


class ForumForm(Form):
    org = SelectField(_l("Gliederung"), coerce=int)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung"), validators=[Optional(), Length(max=2000)]
    )
    position = IntegerField(
        _l("Reihenfolge"),
        default=0,
        validators=[Optional(), NumberRange(0, 10_000)],
        description=_l("Kleinere Zahlen stehen weiter oben."),
    )
    archived = BooleanField(
        _l("Archiviert (nur noch lesbar)"),
    )


class ThreadForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Beitrag"),
        validators=[DataRequired(), Length(max=50_000)],
        description=MARKDOWN_HINT,
    )


class PostForm(Form):
    body = TextAreaField(
        _l("Deine Antwort"),
        validators=[DataRequired(), Length(max=50_000)],
        description=MARKDOWN_HINT,
    )


def _kept_when_not_sent(form, field):
    """A form sent without the field (an older page, a script) keeps the value."""
    if not field.raw_data:
        raise StopValidation()


class OpeningPostForm(PostForm):
    """The opening post's edit form: its author may correct the thread's title."""

    title = StringField(
        _l("Titel des Themas"),
        validators=[_kept_when_not_sent, DataRequired(), Length(max=200)],
    )


class RenameForm(Form):
    title = StringField(_l("Neuer Titel"), validators=[DataRequired(), Length(max=200)])


class ReasonForm(Form):
    reason = StringField(_l("Begründung"), validators=[DataRequired(), Length(max=500)])


class MoveForm(Form):
    forum = SelectField(_l("Ziel-Forum"), coerce=int)
