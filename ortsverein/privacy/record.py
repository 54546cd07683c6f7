"""The processing record ("Verzeichnis von Verarbeitungstätigkeiten") as the privacy
page shows it: every kind of data, where it is kept and for how long, with the
periods this instance is configured with. The README holds the same table."""

from __future__ import annotations

from flask import current_app

from ..i18n import _


def entries() -> list[tuple[str, str, str]]:
    """(what, where, how long) in the current language."""
    c = current_app.config
    db = _("Datenbank")
    until_deleted = _("bis zur Löschung des Kontos")
    return [
        (
            _("Stammdaten (Name, E-Mail, Mitgliedsnummer, Gliederung, Rollen)"),
            db,
            until_deleted,
        ),
        (
            _("Passwort (nur als Argon2-Hash), zweiter Faktor (verschlüsselt)"),
            db,
            until_deleted,
        ),
        (
            _("Anmeldesitzungen"),
            db,
            _(
                "bis %(d)d Tage nach der letzten Nutzung oder bis zur Abmeldung",
                d=c["SESSION_DAYS"],
            ),
        ),
        (
            _("API-Tokens"),
            db,
            _("bis %(d)d Tage ungenutzt oder widerrufen", d=c["RETENTION_TOKEN_DAYS"]),
        ),
        (
            _("Beiträge, ihre früheren Fassungen, Meldungen, Zustimmungen"),
            db,
            _(
                "solange das Forum besteht; bei Löschung des Kontos ohne Namen "
                "oder auf Wunsch mit dem Text"
            ),
        ),
        (
            _("Benachrichtigungen"),
            db,
            _("%(d)d Tage", d=c["RETENTION_NOTIFICATION_DAYS"]),
        ),
        (
            _("Anwesenheit in Sitzungen, Redeliste"),
            db,
            _("%(d)d Tage", d=c["RETENTION_ATTENDANCE_DAYS"]),
        ),
        (
            _("Anträge (Text, Begründung, Antragstellende), Unterstützungen, Verlauf"),
            db,
            _("solange das Antragsbuch besteht; bei Löschung des Kontos ohne Namen"),
        ),
        (
            _("Teilnahme an Abstimmungen (ob, nie wie), Papier-Stimmabgabe"),
            db,
            _(
                "bis %(d)d Tage nach Ende der Abstimmung (Anfechtungsfrist)",
                d=c["RETENTION_CHALLENGE_DAYS"],
            ),
        ),
        (
            _("Geheime Stimmzettel"),
            db,
            _("ohne Bezug zu einer Person, dauerhaft mit dem Ergebnis"),
        ),
        (
            _("Änderungsprotokoll"),
            db,
            _(
                "dauerhaft; nach %(y)d Jahren ohne Bezug zu einer Person",
                y=c["RETENTION_AUDIT_YEARS"],
            ),
        ),
        (
            _("Versandte E-Mails (ohne Mailserver)"),
            "instance/mail/",
            _("%(d)d Tage", d=c["RETENTION_MAIL_DAYS"]),
        ),
        (
            _("Vorschau eines Mitgliederimports"),
            "instance/imports/",
            _("%(h)d Stunden", h=c["RETENTION_IMPORT_HOURS"]),
        ),
        (
            _("Datenauskunft (ZIP)"),
            "instance/exports/",
            _("%(d)d Tage", d=c["EXPORT_DAYS"]),
        ),
    ]
