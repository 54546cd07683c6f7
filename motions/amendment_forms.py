"""Forms of the amendment pages: a line range and its new text; the committee's
decision; two versions to compare."""

from __future__ import annotations

from wtforms import IntegerField, SelectField, TextAreaField

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.markdown import MARKDOWN_HINT


class AmendmentForm(Form):
    first = IntegerField(
        _l("Von Zeile"), validators=[DataRequired(), NumberRange(min=1)]
    )
    last = IntegerField(
        _l("Bis Zeile"), validators=[DataRequired(), NumberRange(min=1)]
    )
    text = TextAreaField(
        _l("Neuer Text dieser Zeilen"),
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 6},
    )
    reasoning = TextAreaField(
        _l("Begründung"), validators=[Length(max=20_000)], render_kw={"rows": 3}
    )


class DecisionForm(Form):
    decision = SelectField(
        _l("Entscheidung"),
        choices=[
            SelectChoice("accept", _l("annehmen")),
            SelectChoice("reject", _l("ablehnen")),
        ],
    )


class VersionsForm(Form):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    old = SelectField(_l("Fassung"), coerce=int)
    new = SelectField(_l("mit Fassung"), coerce=int)


class LineCommentForm(Form):
    """A comment in the motion's discussion that quotes a range of its lines."""

    first = IntegerField(_l("Von Zeile"), validators=[Optional(), NumberRange(min=1)])
    last = IntegerField(_l("Bis Zeile"), validators=[Optional(), NumberRange(min=1)])
    body = TextAreaField(
        _l("Dein Kommentar"),
        validators=[DataRequired(), Length(max=50_000)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 8},
    )
