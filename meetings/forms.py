"""Forms of the meeting pages; times are entered in Europe/Berlin, stored in UTC."""

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
from ortsverein.markdown import MARKDOWN_HINT
from polls.services import kind_choices, majority_choices


class ContributionForm(Form):
    """A contribution to the current agenda item's discussion, from the room page."""

    body = TextAreaField(
        _l("Deine Antwort"),
        validators=[DataRequired(), Length(max=50_000)],
        description=MARKDOWN_HINT,
    )


class MeetingForm(Form):
    org = SelectField(_l("Gliederung (wer teilnimmt)"), coerce=int)
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Einladungstext (Markdown)"), render_kw={"rows": 5})
    starts_at = DateTimeLocalField(
        _l("Beginn (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    ends_at = DateTimeLocalField(
        _l("Voraussichtliches Ende (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[InputRequired(), sane_year],
    )
    agenda = TextAreaField(
        _l("Tagesordnung, ein Punkt pro Zeile"),
        validators=[DataRequired(), Length(max=10_000)],
        render_kw={"rows": 8},
        description=_l("Texte zu den Punkten lassen sich danach ergänzen."),
    )
    forum = SelectField(
        _l("Diskussion zu jedem Punkt"),
        coerce=str,
        description=_l(
            "Legt zu jedem Punkt ein Thema in diesem Forum an: dort läuft die "
            "Aussprache, auch für später Lesende."
        ),
    )
    chairs = StringField(
        _l("Sitzungsleitung (E-Mail-Adressen, durch Kommas getrennt)"),
        validators=[Length(max=2000)],
        description=_l("Die Organisatorinnen der Gliederung leiten immer mit."),
    )
    quorum = IntegerField(
        _l("Beschlussfähig ab … Anwesenden"),
        default=0,
        validators=[Optional(), NumberRange(0, 100_000)],
    )
    speaking_minutes = DecimalField(
        _l("Redezeit in Minuten"),
        default=Decimal(3),
        places=1,
        validators=[InputRequired(), NumberRange(0.5, 60)],
    )
    alternating = BooleanField(
        _l("Quotierte Redeliste: wer noch nicht gesprochen hat, kommt zuerst dran")
    )

    def setup(self, orgs, forums):
        self.org.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
        self.forum.choices = [SelectChoice("", str(_l("keine Diskussion")))] + [
            SelectChoice(str(f.id), f"{f.name} ({f.organisation.name})") for f in forums
        ]
        return self


class ItemForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), render_kw={"rows": 3})


class RoomMemberForm(Form):
    member_id = SelectField(_l("Mitglied im Saal"), coerce=int)


class VoteForm(Form):
    title = StringField(_l("Frage"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Art"))
    options = TextAreaField(
        _l("Optionen, eine pro Zeile"),
        render_kw={"rows": 4},
        description=_l("Bei Ja/Nein/Enthaltung werden die Optionen vorgegeben."),
    )
    secret = BooleanField(_l("Geheime Abstimmung"), default=True)
    majority = SelectField(_l("Mehrheit"))
    quorum_percent = DecimalField(
        _l("Quorum in Prozent der Anwesenden"),
        default=Decimal(0),
        places=2,
        validators=[Optional(), NumberRange(0, 100)],
    )
    max_choices = IntegerField(
        _l("Höchstens zu wählen (Mehrfachauswahl)"),
        default=1,
        validators=[Optional(), NumberRange(1, 100)],
    )

    def setup(self):
        self.kind.choices = kind_choices()
        self.majority.choices = majority_choices()
        return self
