"""The change log in sentences (members/audit.html): every kind of event that
`audit.record()` is called with reads as a sentence in the reader's language, with
the names of members, organisations, polls, meetings and threads instead of ids;
its details as labelled values. The stored entries (and their hash chain) stay
as they are: this only reads them.

A kind not listed in SENTENCES still reads as a sentence (FALLBACK), its code
folded away in the details; tests/web/test_audit_sentences.py finds every kind
the code records and checks that it has its own sentence."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AgendaItem,
    ApiToken,
    AuditEntry,
    Election,
    Forum,
    Meeting,
    Member,
    Motion,
    MotionBook,
    Organisation,
    Poll,
    Post,
    RulePreset,
    Thread,
)

from ..i18n import _, _l

# %(actor)s: who did it ("Das System" when nobody did); %(target)s: what, quoted;
# %(org)s: the organisation; %(role)s: a role's name (role kinds only).
SENTENCES = {
    "admin.created": _l("%(actor)s hat das Administrationskonto %(target)s angelegt."),
    "api_token.created": _l("%(actor)s hat den API-Schlüssel %(target)s erstellt."),
    "api_token.revoked": _l("%(actor)s hat den API-Schlüssel %(target)s widerrufen."),
    "calendar_feed.created": _l("%(actor)s hat eine Kalender-Adresse angelegt."),
    "calendar_feed.renewed": _l("%(actor)s hat die Kalender-Adresse erneuert."),
    "calendar_feed.revoked": _l("%(actor)s hat die Kalender-Adresse widerrufen."),
    "data_export.requested": _l(
        "%(actor)s hat die Auskunft über die Daten von %(target)s angefordert."
    ),
    "legal_text.imprint": _l("%(actor)s hat das Impressum geändert."),
    "legal_text.privacy": _l("%(actor)s hat die Datenschutzerklärung geändert."),
    "member.deleted": _l("%(actor)s hat ein Mitgliedskonto gelöscht."),
    "member.email_change_requested": _l(
        "%(actor)s hat eine neue E-Mail-Adresse angegeben (noch unbestätigt)."
    ),
    "member.email_changed": _l(
        "%(actor)s hat die E-Mail-Adresse von %(target)s geändert."
    ),
    "org.created": _l("%(actor)s hat die Gliederung %(target)s angelegt."),
    "org.dissolved": _l("%(actor)s hat die Gliederung %(target)s aufgelöst."),
    "org.merged": _l(
        "%(actor)s hat die Gliederung %(target)s mit einer anderen zusammengelegt."
    ),
    "org.moved": _l("%(actor)s hat die Gliederung %(target)s verschoben."),
    "org.renamed": _l("%(actor)s hat die Gliederung %(target)s umbenannt."),
    "orgs.imported": _l("%(actor)s hat den Gliederungsbaum eingelesen."),
    "poll.cancelled": _l("%(actor)s hat die Abstimmung %(target)s abgesagt."),
    "poll.deleted": _l("%(actor)s hat den Entwurf %(target)s gelöscht."),
    "poll.escrow_unavailable": _l(
        "Die Abstimmung %(target)s wurde ohne Schlüssel-Treuhand geöffnet: Es gab "
        "zu wenige Anteilsinhaber."
    ),
    "poll.key_escrowed": _l(
        "Der Schlüssel der Abstimmung %(target)s wurde in Anteile für den Vorstand "
        "geteilt."
    ),
    "poll.key_recovered": _l(
        "Der Schlüssel der Abstimmung %(target)s wurde aus Anteilen wiederhergestellt."
    ),
    "poll.key_share_picked_up": _l(
        "%(actor)s hat den Schlüsselanteil für die Abstimmung %(target)s abgeholt."
    ),
    "poll.series_stopped": _l(
        "%(actor)s hat die Wiederholung der Abstimmung %(target)s beendet."
    ),
    "retention.participations_removed": _l(
        "Nach Ablauf der Einspruchsfrist wurde gelöscht, wer an der Abstimmung "
        "%(target)s teilgenommen hat (die Urne bleibt)."
    ),
    "demo.seeded": _l("%(actor)s hat die Demodaten angelegt."),
    "election.accepted": _l(
        "%(actor)s hat festgehalten, dass die Wahl %(target)s angenommen wurde."
    ),
    "election.consented": _l(
        "%(actor)s hat der eigenen Kandidatur bei der Wahl %(target)s zugestimmt."
    ),
    "election.counted": _l("Ein Wahlgang der Wahl %(target)s ist ausgezählt."),
    "election.created": _l("%(actor)s hat die Wahl %(target)s angelegt."),
    "election.declined": _l(
        "%(actor)s hat festgehalten, dass die Wahl %(target)s abgelehnt wurde."
    ),
    "election.edited": _l("%(actor)s hat die Wahl %(target)s geändert."),
    "election.exported": _l(
        "%(actor)s hat das Wahlprotokoll oder Ergebnis der Wahl %(target)s "
        "heruntergeladen."
    ),
    "election.finished": _l("%(actor)s hat die Wahl %(target)s abgeschlossen."),
    "election.nominated": _l(
        "%(actor)s hat eine Kandidatur für die Wahl %(target)s vorgeschlagen."
    ),
    "election.nominations_closed": _l(
        "%(actor)s hat die Vorschlagsliste der Wahl %(target)s geschlossen."
    ),
    "election.nominations_reopened": _l(
        "%(actor)s hat die Vorschlagsliste der Wahl %(target)s wieder geöffnet."
    ),
    "election.round_started": _l(
        "%(actor)s hat einen Wahlgang der Wahl %(target)s begonnen."
    ),
    "election.withdrawn": _l(
        "%(actor)s hat eine Kandidatur für die Wahl %(target)s zurückgezogen."
    ),
    "forum.created": _l("%(actor)s hat das Forum %(target)s angelegt."),
    "forum.updated": _l("%(actor)s hat das Forum %(target)s geändert."),
    "meeting.cancelled": _l("%(actor)s hat die Sitzung %(target)s abgesagt."),
    "meeting.created": _l("%(actor)s hat die Sitzung %(target)s angelegt."),
    "meeting.edited": _l("%(actor)s hat die Sitzung %(target)s geändert."),
    "meeting.ended": _l("%(actor)s hat die Sitzung %(target)s beendet."),
    "meeting.invited": _l("%(actor)s hat zur Sitzung %(target)s eingeladen."),
    "meeting.item_added": _l(
        "%(actor)s hat der Sitzung %(target)s einen Tagesordnungspunkt hinzugefügt."
    ),
    "meeting.item_edited": _l(
        "%(actor)s hat einen Tagesordnungspunkt der Sitzung %(target)s geändert."
    ),
    "meeting.item_opened": _l(
        "%(actor)s hat in der Sitzung %(target)s einen Tagesordnungspunkt aufgerufen."
    ),
    "meeting.minutes_exported": _l(
        "%(actor)s hat die Niederschrift der Sitzung %(target)s heruntergeladen."
    ),
    "meeting.started": _l("%(actor)s hat die Sitzung %(target)s eröffnet."),
    "member.2fa_disabled": _l(
        "%(actor)s hat die Zwei-Faktor-Anmeldung von %(target)s abgeschaltet."
    ),
    "member.2fa_enabled": _l(
        "%(actor)s hat die Zwei-Faktor-Anmeldung von %(target)s eingeschaltet."
    ),
    "member.activated": _l("%(actor)s hat das Konto von %(target)s aktiviert."),
    "member.deactivated": _l("%(actor)s hat das Konto von %(target)s gesperrt."),
    "member.reactivated": _l(
        "%(actor)s hat das Konto von %(target)s wieder freigegeben."
    ),
    "member.password_reset": _l(
        "%(actor)s hat das Passwort von %(target)s neu gesetzt."
    ),
    "members.imported": _l("%(actor)s hat Mitglieder in %(org)s importiert."),
    "members.invited": _l("%(actor)s hat Mitglieder zur Anmeldung eingeladen."),
    "motion.amendment_decided": _l(
        "%(actor)s hat über einen Änderungsantrag zum Antrag %(target)s entschieden."
    ),
    "motion.amendment_proposed": _l(
        "%(actor)s hat einen Änderungsantrag zum Antrag %(target)s gestellt."
    ),
    "motion.amendment_withdrawn": _l(
        "%(actor)s hat einen Änderungsantrag zum Antrag %(target)s zurückgezogen."
    ),
    "motion.amendments_merged": _l(
        "%(actor)s hat Änderungsanträge in eine neue Fassung des Antrags %(target)s "
        "übernommen."
    ),
    "motion.decided": _l("Über den Antrag %(target)s ist abgestimmt worden."),
    "motion.forward_received": _l(
        "%(actor)s hat einen Antrag einer unteren Gliederung als %(target)s "
        "weitergeleitet erhalten."
    ),
    "motion.forwarded": _l(
        "%(actor)s hat den Antrag %(target)s an eine höhere Gliederung weitergeleitet."
    ),
    "motion.put_on_agenda": _l(
        "%(actor)s hat den Antrag %(target)s auf die Tagesordnung gesetzt."
    ),
    "motion.resolutions_exported": _l(
        "%(actor)s hat das Beschlussbuch von %(org)s exportiert."
    ),
    "motion.status_changed": _l(
        "%(actor)s hat den Status des Antrags %(target)s geändert."
    ),
    "motion.submitted": _l("%(actor)s hat den Antrag %(target)s gestellt."),
    "motion.supported": _l("%(actor)s unterstützt den Antrag %(target)s."),
    "motion.taken_off_agenda": _l(
        "%(actor)s hat den Antrag %(target)s von der Tagesordnung genommen."
    ),
    "motion.unsupported": _l(
        "%(actor)s hat die Unterstützung des Antrags %(target)s zurückgenommen."
    ),
    "motion.vote_started": _l(
        "%(actor)s hat eine Abstimmung über den Antrag %(target)s begonnen."
    ),
    "motion.withdrawn": _l("%(actor)s hat den Antrag %(target)s zurückgezogen."),
    "motion_book.created": _l("%(actor)s hat das Antragsbuch %(target)s angelegt."),
    "motion_book.edited": _l("%(actor)s hat das Antragsbuch %(target)s geändert."),
    "organisation.2fa_policy": _l(
        "%(actor)s hat die Regel zur Zwei-Faktor-Anmeldung in %(org)s geändert."
    ),
    "poll.closed": _l(
        "%(actor)s hat die Abstimmung %(target)s geschlossen und ausgezählt."
    ),
    "poll.closed_by_chair": _l(
        "%(actor)s hat die Abstimmung %(target)s in der Sitzung geschlossen."
    ),
    "poll.copied": _l("%(actor)s hat die Abstimmung %(target)s als Kopie angelegt."),
    "poll.created": _l("%(actor)s hat die Abstimmung %(target)s angelegt."),
    "poll.edited": _l("%(actor)s hat die Abstimmung %(target)s geändert."),
    "poll.exported": _l(
        "%(actor)s hat das Ergebnis der Abstimmung %(target)s heruntergeladen."
    ),
    "poll.extended": _l("%(actor)s hat die Abstimmung %(target)s verlängert."),
    "poll.key_missing": _l(
        "Der Schlüssel der Abstimmung %(target)s fehlt; "
        "sie kann nicht ausgezählt werden."
    ),
    "poll.opened": _l("%(actor)s hat die Abstimmung %(target)s geöffnet."),
    "poll.paper_votes": _l(
        "%(actor)s hat Stimmen auf Papier zur Abstimmung %(target)s erfasst."
    ),
    "poll.repeated": _l(
        "%(actor)s hat die Abstimmung %(target)s als Wiederholung angelegt."
    ),
    "poll.scheduled": _l(
        "%(actor)s hat die Zeiten der Abstimmung %(target)s festgelegt."
    ),
    "polls.report_exported": _l(
        "%(actor)s hat einen Bericht über Abstimmungen heruntergeladen."
    ),
    "post.hidden": _l("%(actor)s hat %(target)s ausgeblendet."),
    "post.reported": _l("%(actor)s hat %(target)s der Moderation gemeldet."),
    "post.unhidden": _l("%(actor)s hat %(target)s wieder eingeblendet."),
    "report.dismissed": _l("%(actor)s hat eine Meldung zu %(target)s erledigt."),
    "role.granted": _l(
        "%(actor)s hat %(target)s die Rolle „%(role)s“ in %(org)s gegeben."
    ),
    "role.revoked": _l(
        "%(actor)s hat %(target)s die Rolle „%(role)s“ in %(org)s genommen."
    ),
    "rule_preset.created": _l("%(actor)s hat die Regelvorlage %(target)s angelegt."),
    "thread.locked": _l("%(actor)s hat das Thema %(target)s geschlossen."),
    "thread.moved": _l("%(actor)s hat das Thema %(target)s verschoben."),
    "thread.pinned": _l("%(actor)s hat das Thema %(target)s oben angeheftet."),
    "thread.renamed": _l("%(actor)s hat das Thema %(target)s umbenannt."),
    "thread.unlocked": _l("%(actor)s hat das Thema %(target)s wieder geöffnet."),
    "thread.unpinned": _l("%(actor)s hat das Thema %(target)s nicht mehr angeheftet."),
}
FALLBACK = _l("%(actor)s hat eine Änderung vorgenommen.")

# Details: their labels; a key not named here is shown under its own name.
LABELS = {
    "name": _l("Name"),
    "archived": _l("Archiviert"),
    "item": _l("Tagesordnungspunkt"),
    "format": _l("Format"),
    "via": _l("Weg"),
    "invited": _l("Eingeladen"),
    "count": _l("Anzahl"),
    "member_ids": _l("Mitglieder"),
    "source": _l("Quelle"),
    "created": _l("Neu angelegt"),
    "updated": _l("Geändert"),
    "unchanged": _l("Unverändert"),
    "role": _l("Rolle"),
    "required": _l("Vorgeschrieben"),
    "verified": _l("Geprüft"),
    "start": _l("Von"),
    "end": _l("Bis"),
    "polls": _l("Abstimmungen"),
    "electorate_size": _l("Stimmberechtigte"),
    "electorate_hash": _l("Prüfsumme des Wählerverzeichnisses"),
    "meeting": _l("Sitzung"),
    "paper_ballots": _l("Stimmzettel auf Papier"),
    "paper_voters": _l("Wählende auf Papier"),
    "ballots": _l("Abgegebene Stimmzettel"),
    "digest": _l("Prüfsumme der Urne"),
    "receipts_digest": _l("Prüfsumme der Quittungen"),
    "outcome": _l("Ergebnis"),
    "opens_at": _l("Öffnet"),
    "closes_at": _l("Schließt"),
    "closes_at_before": _l("Schloss bisher"),
    "reason": _l("Begründung"),
    "report": _l("Meldung"),
    "old": _l("Bisher"),
    "new": _l("Neu"),
    "from_forum": _l("Aus dem Forum"),
    "to_forum": _l("In das Forum"),
    "kind": _l("Art des Eintrags"),
    "candidate": _l("Kandidatur"),
    "candidates": _l("Kandidaturen"),
    "elected": _l("Gewählt"),
    "open_seats": _l("Offene Sitze"),
    "seats": _l("Sitze"),
    "method": _l("Wahlverfahren"),
    "round": _l("Wahlgang"),
    "poll": _l("Abstimmung"),
    "number": _l("Nummer"),
}
OUTCOMES = {
    "accepted": _l("angenommen"),
    "rejected": _l("abgelehnt"),
    "no_quorum": _l("Quorum nicht erreicht"),
    "decided": _l("entschieden"),
    "no_majority": _l("keine Mehrheit"),
    "counted": _l("ausgezählt"),
    "empty": _l("keine Stimme abgegeben"),
    "elected": _l("gewählt"),
    "open_seats": _l("Sitze bleiben offen"),
    "second_round": _l("zweiter Wahlgang nötig"),
    "not_elected": _l("nicht gewählt"),
}
VIA = {"api": _l("über die API"), "cli": _l("über die Kommandozeile")}
_HEX = re.compile(r"^[0-9a-f]{32,}$")
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")

# target_type as audit.record() writes it -> model and how to name a row
_TARGETS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "poll": (Poll, lambda r: r.title),
    "meeting": (Meeting, lambda r: r.title),
    "election": (Election, lambda r: r.title),
    "motion": (Motion, lambda r: f"{r.number}: {r.title}"),
    "motionbook": (MotionBook, lambda r: r.title),
    "thread": (Thread, lambda r: r.title),
    "forum": (Forum, lambda r: r.name),
    "member": (Member, lambda r: r.name),
    "apitoken": (ApiToken, lambda r: r.name),
    "rulepreset": (RulePreset, lambda r: r.name),
    "organisation": (Organisation, lambda r: r.name),
}
# detail keys that hold an id, and what of
_ID_DETAILS = {"meeting": "meeting", "from_forum": "forum", "to_forum": "forum"}


@dataclass(frozen=True)
class Detail:
    label: str
    value: str
    checksum: bool = False


@dataclass(frozen=True)
class Line:
    """One entry as the page shows it."""

    entry: AuditEntry
    sentence: str
    organisation: str | None
    details: list[Detail]


def quoted(name: str) -> str:
    return _("„%(name)s“", name=name)


class _Names:
    """Names for the ids of one page of entries, each kind loaded in one query."""

    def __init__(self, session: Session, entries: list[AuditEntry]):
        self.session = session
        wanted: dict[str, set[int]] = {}
        for e in entries:
            if e.target_type and e.target_id is not None:
                wanted.setdefault(e.target_type, set()).add(e.target_id)
            details = _details(e)
            for key, kind in _ID_DETAILS.items():
                if isinstance(details.get(key), int):
                    wanted.setdefault(kind, set()).add(details[key])
            if isinstance(details.get("item"), int):
                wanted.setdefault("agendaitem", set()).add(details["item"])
            if e.action in ("poll.copied", "poll.repeated") and isinstance(
                details.get("source"), int
            ):
                wanted.setdefault("poll", set()).add(details["source"])
            if e.organisation_id:
                wanted.setdefault("organisation", set()).add(e.organisation_id)
        self.names: dict[tuple[str, int], str] = {}
        for kind, ids in wanted.items():
            if kind == "post":
                rows = session.execute(
                    select(Post.id, Post.number, Thread.title)
                    .join(Thread, Post.thread_id == Thread.id)
                    .where(Post.id.in_(ids))
                )
                for pid, number, title in rows:
                    self.names[("post", pid)] = _(
                        "Beitrag Nr. %(n)d in %(thread)s",
                        n=number,
                        thread=quoted(title),
                    )
                continue
            if kind == "agendaitem":
                for iid, title in session.execute(
                    select(AgendaItem.id, AgendaItem.title).where(
                        AgendaItem.id.in_(ids)
                    )
                ):
                    self.names[("agendaitem", iid)] = title
                continue
            if kind not in _TARGETS:
                continue
            model, name = _TARGETS[kind]
            for row in session.scalars(select(model).where(model.id.in_(ids))):
                self.names[(kind, row.id)] = name(row)

    def get(self, kind: str, id_: int | None) -> str | None:
        return self.names.get((kind, id_)) if id_ is not None else None


def _details(entry: AuditEntry) -> dict:
    try:
        value = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _value(
    key: str, value: Any, entry: AuditEntry, names: _Names, role_label
) -> Detail:
    label = str(LABELS.get(key, key))
    if isinstance(value, bool):
        return Detail(label, _("ja") if value else _("nein"))
    if key in _ID_DETAILS and isinstance(value, int):
        name = names.get(_ID_DETAILS[key], value)
        return Detail(label, quoted(name) if name else f"#{value}")
    if key == "item" and isinstance(value, int):
        name = names.get("agendaitem", value)
        return Detail(label, quoted(name) if name else f"#{value}")
    if key == "source" and isinstance(value, int) and entry.action.startswith("poll."):
        name = names.get("poll", value)
        return Detail(label, quoted(name) if name else f"#{value}")
    if key == "role":
        try:
            return Detail(label, role_label(value))
        except KeyError:
            return Detail(label, str(value))
    if key == "outcome" and value in OUTCOMES:
        return Detail(label, str(OUTCOMES[value]))
    if key == "via" and value in VIA:
        return Detail(label, str(VIA[value]))
    if key == "member_ids" and isinstance(value, list):
        return Detail(label, ", ".join(str(v) for v in value))
    if key == "report" and isinstance(value, int):
        return Detail(label, f"#{value}")
    if isinstance(value, str) and _HEX.match(value):
        return Detail(label, value, checksum=True)
    if isinstance(value, str) and _ISO.match(value):
        try:
            return Detail(
                label, format_datetime(datetime.fromisoformat(value), "medium")
            )
        except ValueError:
            pass
    if value is None or value == "":
        return Detail(label, "–")
    if isinstance(value, list | dict):
        return Detail(label, json.dumps(value, ensure_ascii=False))
    return Detail(label, str(value))


def describe(
    session: Session, entries: Iterable[AuditEntry], role_label: Callable[[Any], str]
) -> list[Line]:
    """The page's entries as sentences, in the reader's language."""
    entries = list(entries)
    names = _Names(session, entries)
    lines = []
    for e in entries:
        details = _details(e)
        target = names.get(e.target_type or "", e.target_id)
        if target is None and isinstance(details.get("name"), str):
            target = details["name"]
        org = names.get("organisation", e.organisation_id)
        try:
            role = role_label(details.get("role"))
        except KeyError:
            role = str(details.get("role") or "")
        params = {
            "actor": e.actor.name
            if e.actor
            # an entry whose member was pseudonymised (account deleted, or older
            # than the statute's period) keeps only a commitment, no name
            else (_("Ein ehemaliges Mitglied") if e.actor_ref else _("Das System")),
            # people by their name, things by their name in quotes
            "target": (target if e.target_type == "member" else quoted(target))
            if target
            else _("(gelöscht)"),
            "org": org or _("(keine Gliederung)"),
            "role": role,
        }
        template = SENTENCES.get(e.action)
        shown = [
            _value(k, v, e, names, role_label)
            for k, v in sorted(details.items())
            if not (k == "name" and target == v)
        ]
        if template is None:
            template = FALLBACK
            shown.append(Detail(str(LABELS["kind"]), e.action))
        lines.append(Line(e, str(template) % params, org, shown))
    return lines
