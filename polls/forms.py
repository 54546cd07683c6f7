"""Forms of the poll pages; times are entered in Europe/Berlin and stored in UTC."""

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
    StopValidation,
)

from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.local_time import FORMAT, sane_year


def finite(form, field):
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("Bitte gib eine Zahl an."))


def kind_choices():
    return [
        SelectChoice("yes_no_abstain", str(_l("Ja / Nein / Enthaltung"))),
        SelectChoice("single_choice", str(_l("Eine Option wählen"))),
        SelectChoice("multiple_choice", str(_l("Mehrere Optionen wählen"))),
        SelectChoice("ranked", str(_l("Rangfolge (Schulze-Methode)"))),
        SelectChoice(
            "yes_no_abstain_each", str(_l("Ja / Nein / Enthaltung je Option"))
        ),
    ]


# Which fields each kind of poll needs beyond the common ones (the form shows only
# these; static/js/poll-form.js switches them in place when the kind changes).
KIND_FIELDS = {
    "yes_no_abstain": frozenset(),
    "single_choice": frozenset({"options"}),
    "multiple_choice": frozenset({"options", "min_choices", "max_choices"}),
    "ranked": frozenset({"options"}),
    "yes_no_abstain_each": frozenset({"options"}),
}


def kind_hints():
    """One line per kind for the first step of the form."""
    return {
        "yes_no_abstain": _l("Für Anträge: Ja, Nein oder Enthaltung."),
        "single_choice": _l("Jedes Mitglied wählt genau eine von mehreren Optionen."),
        "multiple_choice": _l(
            "Jedes Mitglied wählt mehrere Optionen, zwischen einer Mindest- und "
            "einer Höchstzahl."
        ),
        "ranked": _l(
            "Jedes Mitglied ordnet die Optionen nach Vorliebe; ausgezählt wird nach "
            "der Schulze-Methode."
        ),
        "yes_no_abstain_each": _l(
            "Jedes Mitglied kreuzt bei jeder Option Ja, Nein oder Enthaltung an "
            "(wie bei einer Listenwahl)."
        ),
    }


def majority_label(value: str) -> str:
    """A majority rule's name in the reader's language ("two_thirds" → words)."""
    return next((c.label for c in majority_choices() if c.value == value), value)


def majority_choices():
    return [
        SelectChoice("simple", str(_l("Einfache Mehrheit"))),
        SelectChoice("absolute", str(_l("Absolute Mehrheit der gültigen Stimmen"))),
        SelectChoice("two_thirds", str(_l("Zwei-Drittel-Mehrheit"))),
    ]


class PollForm(Form):
    org = SelectField(_l("Gliederung (wer abstimmen darf)"), coerce=int)
    title = StringField(_l("Frage"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Erläuterung (Markdown)"), render_kw={"rows": 6})
    kind = SelectField(_l("Art"))
    options = TextAreaField(
        _l("Optionen, eine pro Zeile"),
        render_kw={"rows": 5},
        description=_l("Bei Ja/Nein/Enthaltung werden die Optionen vorgegeben."),
    )
    secret = BooleanField(
        _l("Geheime Abstimmung"),
        default=True,
        description=_l(
            "Ohne Haken ist die Abstimmung namentlich: "
            "Der Vorstand sieht, wer wie gestimmt hat."
        ),
    )
    escrow_threshold = IntegerField(
        _l("Schlüssel-Treuhand: so viele Vorstandsmitglieder stellen ihn wieder her"),
        validators=[Optional(), NumberRange(2, 100)],
        description=_l(
            "Leer lassen für keine Treuhand. Sonst erhält jedes Vorstandsmitglied "
            "einen Anteil am Schlüssel; so viele Anteile zusammen retten die "
            "Abstimmung, falls der Schlüsselordner verloren geht. Der Preis: Genauso "
            "viele Anteilsinhaber könnten zusammen mit einer Datensicherung aus der "
            "Laufzeit Stimmen ihren Wählenden zuordnen."
        ),
    )
    opens_at = DateTimeLocalField(
        _l("Beginn (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    closes_at = DateTimeLocalField(
        _l("Ende (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    preset = SelectField(
        _l("Regel aus der Satzung"),
        coerce=str,
        description=_l("Eine Vorgabe ersetzt Quorum und Mehrheit."),
    )
    quorum_percent = DecimalField(
        _l("Quorum in Prozent der Stimmberechtigten"),
        default=Decimal(0),
        places=2,
        validators=[Optional(), finite, NumberRange(0, 100)],
    )
    majority = SelectField(_l("Mehrheit"))
    min_choices = IntegerField(
        _l("Mindestens zu wählen"),
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
    )
    max_choices = IntegerField(
        _l("Höchstens zu wählen"),
        default=1,
        validators=[Optional(), NumberRange(1, 100)],
    )
    repeat = SelectField(_l("Regelmäßig wiederholen"))

    def needs(self, name: str) -> bool:
        """Whether the chosen kind uses this field (all of them for an unknown kind,
        so nothing typed is hidden)."""
        fields = KIND_FIELDS.get(self.kind.data or "")
        return fields is None or name in fields

    def option_labels(self) -> list[str]:
        if not self.needs("options"):
            return []
        return [o.strip() for o in (self.options.data or "").splitlines() if o.strip()]

    def validate(self, extra_validators=None) -> bool:
        """Every rule in one pass: the fields' own checks and those across fields,
        so a refused form lists all its mistakes at once."""
        valid = super().validate(extra_validators)
        problems: list[tuple] = []
        labels = self.option_labels()
        if self.needs("options") and self.kind.data in KIND_FIELDS:
            if len(labels) < 2:
                problems.append(
                    (self.options, _l("Es braucht mindestens zwei Optionen."))
                )
            elif len(set(labels)) != len(labels):
                problems.append(
                    (self.options, _l("Jede Option darf nur einmal vorkommen."))
                )
        if self.kind.data == "multiple_choice" and not (
            self.min_choices.errors or self.max_choices.errors
        ):
            low, high = self.min_choices.data or 0, self.max_choices.data or 1
            if low > high:
                problems.append(
                    (
                        self.min_choices,
                        _l(
                            "Mindestens %(low)d ist mehr als höchstens %(high)d: "
                            "Die Mindestzahl darf nicht größer sein als die "
                            "Höchstzahl.",
                            low=low,
                            high=high,
                        ),
                    )
                )
            if len(labels) >= 2 and high > len(labels):
                problems.append(
                    (
                        self.max_choices,
                        _l(
                            "Höchstens %(high)d geht nicht bei %(n)d Optionen.",
                            high=high,
                            n=len(labels),
                        ),
                    )
                )
        opens, closes = self.opens_at.data, self.closes_at.data
        if opens and closes and not self.closes_at.errors and closes <= opens:
            problems.append(
                (self.closes_at, _l("Das Ende muss nach dem Beginn liegen."))
            )
        for field, message in problems:
            field.errors = [*field.errors, str(message)]
        return valid and not problems

    def setup(self, orgs, presets):
        self.org.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
        self.kind.choices = kind_choices()
        self.majority.choices = majority_choices()
        self.preset.choices = [SelectChoice("", str(_l("keine – Werte unten")))] + [
            SelectChoice(
                str(p.id),
                f"{p.name} ({p.statute_reference})" if p.statute_reference else p.name,
            )
            for p in presets
        ]
        self.repeat.choices = [
            SelectChoice("none", str(_l("nein"))),
            SelectChoice("monthly", str(_l("monatlich"))),
            SelectChoice("quarterly", str(_l("vierteljährlich"))),
        ]
        return self


class ExtendForm(Form):
    closes_at = DateTimeLocalField(
        _l("Neues Ende (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )


class VoteForm(Form):
    confirm = BooleanField(
        _l(
            "Ich habe meine Auswahl geprüft. Mir ist klar, dass meine Stimme endgültig "
            "ist."
        ),
        validators=[
            DataRequired(
                message=_l("Bitte bestätige, dass deine Auswahl endgültig ist.")
            )
        ],
    )


class ReceiptForm(Form):
    code = StringField(
        _l("Quittungscode"),
        validators=[DataRequired(), Length(max=60)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class PresetForm(Form):
    org = SelectField(_l("Gliederung"), coerce=int)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    quorum_percent = DecimalField(
        _l("Quorum in Prozent"),
        default=Decimal(0),
        places=2,
        validators=[InputRequired(), finite, NumberRange(0, 100)],
    )
    majority = SelectField(_l("Mehrheit"))
    statute_reference = StringField(
        _l("Fundstelle in der Satzung"), validators=[Length(max=200)]
    )
