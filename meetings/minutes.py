"""The minutes of an ended meeting: who was there when, what was discussed, who
spoke, and every decision with its rule and ballot-box digest; as JSON, Markdown
and a PDF for the board to check and sign."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from fpdf import FPDF
from sqlalchemy.orm import Session

from models import Meeting, Member, utcnow
from ortsverein.errors import Conflict, NotFound
from ortsverein.i18n import _
from polls import services as polls

from .access import ENDED, can_export, status
from .attendance import attendance_list
from .speakers import speakers_by_item

BERLIN = ZoneInfo("Europe/Berlin")
FONTS = Path(polls.__file__).resolve().parent / "fonts"
SIGNATURE = "Protokoll geprüft: ____________ Datum ____________ Unterschrift"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def local(value: str | None) -> str:
    """An ISO time of the record as the branch reads it (Europe/Berlin)."""
    if not value:
        return "–"
    return datetime.fromisoformat(value).astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def max_present(stretches) -> int:
    """The most members present at one moment (a member online and in the room at
    once counts once; at equal times leaving comes before joining)."""
    events = []
    for s in stretches:
        events.append((s.joined_at, 1, s.member_id))
        if s.left_at is not None:
            events.append((s.left_at, 0, s.member_id))
    open_stretches: dict[int, int] = {}
    present = best = 0
    for _at, joining, member_id in sorted(events, key=lambda e: (e[0], e[1])):
        before = open_stretches.get(member_id, 0)
        after = open_stretches[member_id] = before + (1 if joining else -1)
        present += (after > 0) - (before > 0)
        best = max(best, present)
    return best


def _decision(session: Session, poll) -> dict:
    summary = polls.vote_summary(session, poll)
    result = summary.get("result", {})
    return {
        "poll_id": poll.id,
        "agenda_item_id": poll.agenda_item_id,
        "title": summary["title"],
        "kind": summary["kind"],
        "secret": summary["secret"],
        "status": summary["status"],
        "electorate": summary["electorate"],
        "ballots": summary["ballots"],
        "paper_ballots": summary["paper_ballots"],
        "counts": {o["label"]: o.get("count", 0) for o in summary["options"]},
        "blank": result.get("blank", 0),
        # yes/no/abstain for each option (counts: the yes votes)
        **(
            {
                "answers": {
                    o["label"]: {v: o[v] for v in ("yes", "no", "abstain")}
                    for o in summary["options"]
                }
            }
            if summary["options"] and "yes" in summary["options"][0]
            else {}
        ),
        "outcome": result.get("outcome", ""),
        "outcome_words": result.get("outcome_words", ""),
        "majority_words": result.get("majority_words", ""),
        "rule_name": result.get("rule_name", poll.rule_name),
        "statute_reference": result.get("statute_reference", poll.statute_reference),
        "quorum_met": result.get("quorum_met", False),
        "ballot_digest": result.get("ballot_digest", poll.ballot_digest),
    }


def _stretch(s) -> dict:
    return {
        "name": s.member.name,
        "in_room": s.in_room,
        "joined_at": _iso(s.joined_at),
        "left_at": _iso(s.left_at),
    }


def _speech(r) -> dict:
    finished = r.finished_at
    return {
        "name": r.member.name,
        "called_at": _iso(r.called_at),
        "finished_at": _iso(finished),
        "duration_seconds": int((finished - r.called_at).total_seconds())
        if finished
        else None,
    }


def _item(item, requests, base: str) -> dict:
    return {
        "id": item.id,
        "number": item.position + 1,
        "title": item.title,
        "body": item.body,
        "opened_at": _iso(item.opened_at),
        "thread_url": f"{base}/forums/threads/{item.thread_id}"
        if item.thread_id
        else None,
        "speakers": [_speech(r) for r in requests],
    }


class MinutesNotReady(Conflict):
    code = "meeting_not_ended"


def for_board(session: Session, member: Member, meeting: Meeting) -> dict:
    """The minutes are the board's, once the meeting has ended: anyone else gets
    NotFound, the board before the end MinutesNotReady."""
    if not can_export(member, meeting):
        raise NotFound()
    if status(meeting) != ENDED:
        raise MinutesNotReady(
            _("Das Protokoll gibt es erst, wenn die Sitzung beendet ist.")
        )
    return record(session, meeting, member)


def record(session: Session, meeting: Meeting, exporter: Member) -> dict:
    """Everything the minutes say, in plain values (times as ISO strings in UTC).
    Decisions come from the polls' stored results, never from the ballots."""
    base = current_app.config["BASE_URL"].rstrip("/") if has_app_context() else ""
    stretches = attendance_list(session, meeting)
    speakers = speakers_by_item(session, meeting)
    decisions = [
        _decision(session, p) for p in polls.meeting_polls(session, meeting.id)
    ]
    # In the order the chair opened them; points never opened follow in agenda order.
    items = sorted(
        meeting.items,
        key=lambda i: (
            i.opened_at is None,
            i.opened_at or meeting.starts_at,
            i.position,
        ),
    )
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "body": meeting.body,
            "organisation": {
                "id": meeting.organisation.id,
                "name": meeting.organisation.name,
                "slug": meeting.organisation.slug,
            },
            "planned_start": _iso(meeting.starts_at),
            "planned_end": _iso(meeting.ends_at),
            "started_at": _iso(meeting.started_at),
            "ended_at": _iso(meeting.ended_at),
            "quorum": meeting.quorum,
            "chairs": sorted(c.member.name for c in meeting.chairs),
        },
        "attendance": {
            "stretches": [_stretch(s) for s in stretches],
            "distinct": len({s.member_id for s in stretches}),
            "max_present": max_present(stretches),
        },
        "items": [_item(i, speakers.get(i.id, []), base) for i in items],
        "decisions": decisions,
        "exported_at": utcnow().isoformat(),
        "exported_by": {"id": exporter.id, "name": exporter.name},
    }


def as_json(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False, indent=2)


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds // 60}:{seconds % 60:02d} min"


def _decision_lines(d: dict) -> list[str]:
    kind = "Geheime" if d["secret"] else "Namentliche"
    counts = ", ".join(f"{label}: {n}" for label, n in d["counts"].items())
    if d.get("answers"):
        counts = ", ".join(
            f"{label}: {n['yes']} Ja / {n['no']} Nein / {n['abstain']} Enthaltung"
            for label, n in d["answers"].items()
        )
    rule = d["majority_words"] or "–"
    if d["rule_name"]:
        rule = f"{d['rule_name']}: {rule}"
    if d["statute_reference"]:
        rule += f" ({d['statute_reference']})"
    quorum = "erreicht" if d["quorum_met"] else "nicht erreicht"
    return [
        f"{kind} Abstimmung: {d['title']}",
        f"Stimmberechtigt: {d['electorate']}, abgegeben: {d['ballots']} "
        f"(davon auf Papier: {d['paper_ballots']}, leer: {d['blank']})",
        f"Stimmen: {counts}",
        f"Regel: {rule}; Quorum: {quorum}",
        f"Ergebnis: {d['outcome_words'] or d['status']}",
        f"Prüfsumme der Urne (SHA-256): {d['ballot_digest'] or '–'}",
    ]


def blocks(rec: dict) -> list[tuple[str, Any]]:  # content's type goes by style
    """The minutes as a list of (style, content), rendered as Markdown or PDF:
    h1/h2/h3 headings, field (label, value), table (rows), p, li, vote (lines)."""
    m, a = rec["meeting"], rec["attendance"]
    present = f"{a['distinct']} Mitglieder, höchstens {a['max_present']} zugleich"
    fields = [
        ("Gliederung", m["organisation"]["name"]),
        ("Geplant", f"{local(m['planned_start'])} bis {local(m['planned_end'])} Uhr"),
        ("Tatsächlich", f"{local(m['started_at'])} bis {local(m['ended_at'])} Uhr"),
        ("Sitzungsleitung", ", ".join(m["chairs"]) or "–"),
        ("Beschlussfähig ab", f"{m['quorum']} Anwesenden" if m["quorum"] else "–"),
        ("Anwesend", present),
    ]
    out: list[tuple[str, object]] = [("h1", f"Protokoll: {m['title']}")]
    out += [("field", f) for f in fields] + [("h2", "Anwesenheit")]
    rows = [["Name", "Teilnahme", "von", "bis"]]
    for s in a["stretches"]:
        where = "im Raum" if s["in_room"] else "online"
        rows.append([s["name"], where, local(s["joined_at"]), local(s["left_at"])])
    out += [("table", rows), ("h2", "Tagesordnung")]
    by_item: dict = {}
    for d in rec["decisions"]:
        by_item.setdefault(d["agenda_item_id"], []).append(d)
    for item in rec["items"]:
        out.append(("h3", f"TOP {item['number']}: {item['title']}"))
        out.append(("p", f"Aufgerufen: {local(item['opened_at'])}"))
        if item["thread_url"]:
            out.append(("p", f"Diskussion: {item['thread_url']}"))
        if item["body"].strip():
            out.append(("p", item["body"].strip()))
        if item["speakers"]:
            out.append(("p", "Redeliste:"))
            for n, s in enumerate(item["speakers"], 1):
                spoke = f"{local(s['called_at'])}, {_duration(s['duration_seconds'])}"
                out.append(("li", f"{n}. {s['name']} ({spoke})"))
        out += [("vote", _decision_lines(d)) for d in by_item.get(item["id"], [])]
    if by_item.get(None):
        out.append(("h2", "Weitere Abstimmungen"))
        out += [("vote", _decision_lines(d)) for d in by_item[None]]
    who = rec["exported_by"]["name"]
    out += [
        ("p", f"Erstellt am {local(rec['exported_at'])} von {who}."),
        ("sign", SIGNATURE),
    ]
    return out


def as_markdown(rec: dict) -> str:
    out: list[str] = []
    for style, content in blocks(rec):
        if style in ("h1", "h2", "h3"):
            out += ["", f"{'#' * int(style[1])} {content}", ""]
        elif style == "field":
            out.append(f"- **{content[0]}:** {content[1]}")
        elif style == "table":
            cells = [[c.replace("|", "\\|") for c in row] for row in content]
            out += ["", "| " + " | ".join(cells[0]) + " |", "|" + " --- |" * 4]
            out += ["| " + " | ".join(row) + " |" for row in cells[1:]] + [""]
        elif style == "li":
            out.append(content)
        elif style == "vote":
            out += ["", *(f"> {line}  " for line in content), ""]
        elif style == "sign":
            out += ["", "---", "", content]
        else:
            out += ["", content, ""]
    text = "\n".join(out).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"


class _Minutes(FPDF):
    def header(self):
        self.set_font("dejavu", "B", 9)
        self.cell(0, 6, "Protokoll der Sitzung", new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-12)
        self.set_font("dejavu", "", 8)
        self.cell(0, 6, f"Seite {self.page_no()}/{{nb}}", align="C")


def as_pdf(rec: dict) -> bytes:
    """A4, DejaVu (umlauts), with a line for the board to sign the minutes off."""
    doc = _Minutes(format="A4")
    doc.add_font("dejavu", "", str(FONTS / "DejaVuSans.ttf"))
    doc.add_font("dejavu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    doc.set_title(f"Protokoll: {rec['meeting']['title']}")
    doc.alias_nb_pages()
    doc.add_page()

    def text(value: str, size: int = 10, bold: bool = False, height: int = 5):
        doc.set_font("dejavu", "B" if bold else "", size)
        doc.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")

    for style, content in blocks(rec):
        if style == "h1":
            text(content, 15, True, 8)
            doc.ln(2)
        elif style in ("h2", "h3"):
            doc.ln(3 if style == "h2" else 2)
            text(content, 12 if style == "h2" else 11, True, 7)
        elif style == "field":
            doc.set_font("dejavu", "B", 10)
            doc.cell(45, 6, content[0])
            text(content[1], 10, height=6)
        elif style == "table":
            doc.set_font("dejavu", "", 9)
            with doc.table(col_widths=(70, 30, 45, 45), text_align="LEFT") as table:
                for row in content:
                    table.row(row)
        elif style == "vote":
            doc.ln(1)
            text(content[0], 10, True, 6)
            for line in content[1:-2]:
                text(line, 9)
            text(content[-2], 10, True, 6)
            text(content[-1], 8, height=4)
        elif style == "sign":
            doc.ln(14)
            text(content, 10)
        else:
            text(content, 9)
    return bytes(doc.output())
