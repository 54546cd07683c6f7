"""Forms of the organisation tree's administration."""

from __future__ import annotations

from wtforms import SelectField, StringField

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length

from models import OrgLevel
from ortsverein.forms import Form

from ..i18n import _l

LEVEL_LABELS = {
    "bund": _l("Bund"),
    "land": _l("Land"),
    "bezirk": _l("Bezirk"),
    "unterbezirk": _l("Unterbezirk"),
    "ortsverein": _l("Ortsverein"),
}


class CreateForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Kürzel"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Kleinbuchstaben, Ziffern, - und _; für Importe."),
    )
    level = SelectField(
        _l("Ebene"),
        choices=[SelectChoice(lv.value, LEVEL_LABELS[lv.value]) for lv in OrgLevel],
    )
    parent_id = SelectField(_l("Übergeordnete Gliederung"), coerce=int)


class RenameForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class MoveForm(Form):
    parent_id = SelectField(_l("Neue übergeordnete Gliederung"), coerce=int)


class MergeForm(Form):
    target_id = SelectField(_l("Zusammenführen mit (Ziel)"), coerce=int)


class ConfirmForm(Form):
    pass
