"""Forms of the member administration."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField

from ortsverein.forms import Form

from ..i18n import _l


class ImportForm(Form):
    org = SelectField(_l("Gliederung"), coerce=int)
    file = FileField(
        _l("Mitgliederliste (CSV)"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "txt"], _l("Bitte eine CSV-Datei.")),
        ],
        description=_l(
            "Spalten: Mitgliedsnummer, Vorname, Nachname, E-Mail, Gliederung "
            "(Kürzel). Trennzeichen Komma oder Semikolon, UTF-8."
        ),
    )
    invite = BooleanField(
        _l("Neue Mitglieder gleich per E-Mail einladen"), default=True
    )
    sync = BooleanField(
        _l("Abgleich: die Liste ist das vollständige Mitgliederverzeichnis"),
        description=_l(
            "Wer nicht mehr in der Liste steht, wird nach deiner Bestätigung "
            "deaktiviert; wer wieder darin steht, wird wieder aktiviert."
        ),
    )


class ImportConfirmForm(Form):
    upload = HiddenField()
    invite = HiddenField()
    sync = HiddenField()


class RoleForm(Form):
    grant = SelectField(_l("Rolle vergeben"))


class PolicyForm(Form):
    required = BooleanField(_l("Zweiten Faktor für Vorstand und Moderation verlangen"))
