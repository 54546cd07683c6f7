"""Forms of the motion pages; the deadline is entered in the book's time zone."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import MotionStatus, Occasion, Recommendation
from ortsverein.forms import Form
from ortsverein.i18n import _l
from ortsverein.local_time import FORMAT, sane_year
from ortsverein.markdown import MARKDOWN_HINT

from .labels import OCCASION, RECOMMENDATION, STATUS


class BookForm(Form):
    org = SelectField(_l("Gliederung"), coerce=int)
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("Beschreibung (Markdown)"),
        validators=[Length(max=20_000)],
        render_kw={"rows": 4},
    )
    occasion = SelectField(_l("Anlass"))
    meeting = SelectField(
        _l("Sitzung (beim Anlass „eine Sitzung“)"), coerce=str, validate_choice=False
    )
    conference_title = StringField(
        _l("Parteitag (beim Anlass „Parteitag“)"),
        validators=[Length(max=200)],
        description=_l("Etwa „Unterbezirksparteitag 2027“."),
    )
    conference_org = SelectField(
        _l("Gliederung des Parteitags"), coerce=str, validate_choice=False
    )
    deadline = DateTimeLocalField(
        _l("Antragsschluss (Ortszeit der gewählten Zeitzone)"),
        format=FORMAT,
        validators=[Optional(), sane_year],
        description=_l("Leer lassen für ein Antragsbuch ohne Antragsschluss."),
    )
    timezone = SelectField(_l("Zeitzone des Antragsschlusses"))
    members_may_submit = BooleanField(
        _l("Mitglieder der Gliederung (und der Gliederungen darunter) reichen ein")
    )
    boards_may_submit = BooleanField(
        _l("Vorstände der untergeordneten Gliederungen reichen ein")
    )
    working_groups = TextAreaField(
        _l("Arbeitsgemeinschaften und Arbeitskreise, die einreichen (eine pro Zeile)"),
        validators=[Length(max=10_000)],
        render_kw={"rows": 3},
    )
    supporters_needed = IntegerField(
        _l("Nötige Unterstützende für die Zulassung"),
        default=0,
        validators=[Optional(), NumberRange(0, 10_000)],
    )
    categories = TextAreaField(
        _l("Sachgebiete (eines pro Zeile)"),
        validators=[Length(max=10_000)],
        render_kw={"rows": 4},
    )
    prefix = StringField(
        _l("Kürzel der Antragsnummern"),
        default="A",
        validators=[DataRequired(), Length(max=10)],
        description=_l("„A“ ergibt A1, A2, …"),
    )

    def setup(self, orgs, meetings, conference_orgs, zones):
        self.org.choices = [SelectChoice(str(o.id), o.name) for o in orgs]
        self.occasion.choices = [
            SelectChoice(o.value, str(OCCASION[o])) for o in Occasion
        ]
        self.meeting.choices = [SelectChoice("", str(_l("keine")))] + [
            SelectChoice(str(m.id), f"{m.title} ({m.organisation.name})")
            for m in meetings
        ]
        self.conference_org.choices = [SelectChoice("", str(_l("keine")))] + [
            SelectChoice(str(o.id), o.name) for o in conference_orgs
        ]
        self.timezone.choices = [SelectChoice(z, z) for z in zones]
        return self


class MotionForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Sachgebiet"), coerce=str)
    on_behalf_of = SelectField(_l("Antragsteller"), coerce=str)
    co_submitters = StringField(
        _l("Weitere Antragstellende (E-Mail-Adressen, durch Kommas getrennt)"),
        validators=[Length(max=2000)],
    )
    text = TextAreaField(
        _l("Antragstext"),
        validators=[DataRequired(), Length(max=100_000)],
        render_kw={"rows": 14},
        description=MARKDOWN_HINT,
    )
    reasoning = TextAreaField(
        _l("Begründung"),
        validators=[Length(max=100_000)],
        render_kw={"rows": 8},
    )

    def setup(self, book, capacities, self_label):
        self.category.choices = [SelectChoice("", str(_l("ohne Sachgebiet")))] + [
            SelectChoice(str(c.id), c.name) for c in book.categories
        ]
        choices = []
        for capacity in capacities:
            if capacity == "self":
                choices.append(SelectChoice("self", self_label))
            elif isinstance(capacity, str):
                choices.append(SelectChoice(capacity, capacity))
            else:
                label = _l("Vorstand %(org)s", org=capacity.name)
                choices.append(SelectChoice(str(capacity.id), str(label)))
        self.on_behalf_of.choices = choices
        return self


class StatusForm(Form):
    status = SelectField(_l("Neuer Status"))
    recommendation = SelectField(
        _l("Empfehlung (bei „Empfehlung der Antragskommission“)")
    )
    referral_target = StringField(
        _l("Überweisung an (bei Überweisung)"), validators=[Length(max=200)]
    )
    note = TextAreaField(
        _l("Vermerk"), validators=[Length(max=5000)], render_kw={"rows": 2}
    )

    def setup(self, targets: list[MotionStatus]):
        self.status.choices = [SelectChoice(s.value, str(STATUS[s])) for s in targets]
        self.recommendation.choices = [SelectChoice("", str(_l("keine")))] + [
            SelectChoice(r.value, str(RECOMMENDATION[r])) for r in Recommendation
        ]
        return self


class WithdrawForm(Form):
    note = TextAreaField(
        _l("Anmerkung (freiwillig)"),
        validators=[Length(max=5000)],
        render_kw={"rows": 2},
    )


class VoteForm(Form):
    """The motion committee puts a motion to a member poll until `closes_at`."""

    closes_at = DateTimeLocalField(
        _l("Die Abstimmung endet (Ortszeit Berlin)"),
        format=FORMAT,
        validators=[DataRequired(), sane_year],
    )


class AgendaForm(Form):
    """List a motion on an item of a meeting's agenda."""

    item = SelectField(_l("Tagesordnungspunkt"), coerce=int)
    motion = SelectField(_l("Antrag"), coerce=int)
