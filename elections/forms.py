"""Forms of the election pages; times are entered in Europe/Berlin, stored in UTC."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.local_time import FORMAT, sane_year


def method_choices() -> list:
    return [
        SelectChoice("single", str(_l("Einzelwahl (ein Sitz)"))),
        SelectChoice("block", str(_l("Blockwahl (bis zu N Stimmen)"))),
        SelectChoice(
            "stv_scottish", str(_l("Übertragbare Einzelstimme (Scottish STV)"))
        ),
        SelectChoice("stv_meek", str(_l("Übertragbare Einzelstimme (Meek STV)"))),
        SelectChoice(
            "approval", str(_l("Listenwahl: Ja/Nein/Enthaltung je Bewerbung"))
        ),
    ]


def method_label(value: str) -> str:
    return next((c.label for c in method_choices() if c.value == value), value)


def method_rule(value: str) -> str:
    """The rule of a method in one sentence, cited on the election's page."""
    rules = {
        "single": _l(
            "Gewählt ist, wer mehr als die Hälfte der gültigen Stimmen erhält; "
            "sonst folgt ein zweiter Wahlgang, in dem die meisten Stimmen genügen. "
            "Bei nur einer Bewerbung: Ja, Nein oder Enthaltung."
        ),
        "block": _l(
            "Jedes Mitglied hat bis zu so viele Stimmen, wie Sitze zu vergeben sind; "
            "gewählt sind die Bewerbungen mit den meisten Stimmen."
        ),
        "stv_scottish": _l(
            "Rangfolge der Bewerbungen; Auszählung nach der übertragbaren "
            "Einzelstimme mit Droop-Quote (Scottish STV Rules 2007)."
        ),
        "stv_meek": _l(
            "Rangfolge der Bewerbungen; Auszählung nach der übertragbaren "
            "Einzelstimme nach Meek."
        ),
        "approval": _l(
            "Ja, Nein oder Enthaltung je Bewerbung; gewählt ist, wer den "
            "Mindestanteil an Ja-Stimmen erreicht, nach Zahl der Ja-Stimmen."
        ),
    }
    return str(rules.get(value, ""))


class ElectionForm(Form):
    org = SelectField(_l("Gliederung (wer wählt und kandidiert)"), coerce=int)
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    office = StringField(
        _l("Amt"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Zum Beispiel: Vorsitz, Beisitzer:innen, Delegierte."),
    )
    body = TextAreaField(_l("Erläuterung (Markdown)"), render_kw={"rows": 4})
    seats = IntegerField(
        _l("Zahl der Sitze"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 99)],
    )
    method = SelectField(_l("Wahlverfahren"))
    runoff = SelectField(
        _l("Zweiter Wahlgang bei der Einzelwahl"),
        choices=[
            SelectChoice("top_two", _l("Stichwahl der beiden Stärksten")),
            SelectChoice("plain", _l("Alle Bewerbungen, einfache Mehrheit")),
        ],
    )
    min_yes_percent = DecimalField(
        _l("Listenwahl: nötiger Anteil an Ja-Stimmen (Prozent)"),
        description=_l(
            "Gewählt werden kann nur, wer mehr Ja-Stimmen erhält als diesen Anteil "
            "der Ja- und Nein-Stimmen zur eigenen Bewerbung (Enthaltungen zählen "
            "nicht)."
        ),
        default=Decimal(50),
        places=2,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    quota_percent = DecimalField(
        _l("Mindestanteil je Geschlecht (Prozent, 0 für keine Quote)"),
        default=Decimal(0),
        places=2,
        validators=[InputRequired(), NumberRange(0, 50)],
        description=_l("Die Satzung der SPD verlangt 40 Prozent."),
    )
    secret = BooleanField(_l("Geheime Wahl"), default=True)
    statute_reference = StringField(
        _l("Fundstelle in der Satzung"), validators=[Length(max=200)]
    )
    nominations_open_at = DateTimeLocalField(
        _l("Vorschläge ab (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    nominations_close_at = DateTimeLocalField(
        _l("Vorschläge bis (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    meeting_id = SelectField(
        _l("In einer Sitzung (wählen dürfen die Anwesenden)"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        validate_choice=False,
    )


class NominateForm(Form):
    nominee = SelectField(_l("Wen schlägst du vor?"), coerce=int)
    statement = TextAreaField(
        _l("Vorstellung (Markdown, nur bei dir selbst)"),
        validators=[Length(max=5000)],
        render_kw={"rows": 4},
    )


class ConsentForm(Form):
    statement = TextAreaField(
        _l("Deine Vorstellung (Markdown)"),
        validators=[Length(max=5000)],
        render_kw={"rows": 4},
    )


class RoundForm(Form):
    closes_at = DateTimeLocalField(
        _l("Der Wahlgang endet (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[Optional(), sane_year],
    )


class ReopenForm(Form):
    closes_at = DateTimeLocalField(
        _l("Vorschläge bis (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[Optional(), sane_year],
    )
