"""The change log in sentences (issue 22): every kind of event the code records
reads as a sentence in the reader's language, with names instead of ids, its
details folded as a labelled list, and no event key ("poll.created") on the page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from models import AuditEntry
from ortsverein import audit
from ortsverein.members.audit_text import SENTENCES
from tests.factories import make_forum, make_poll, make_thread

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ortsverein", "discussions", "polls", "meetings", "motions")


def _constants(node: ast.AST | None) -> set[str] | None:
    """The strings an expression can be: a literal, either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        if body is not None and orelse is not None:
            return body | orelse
    return None


def _argument(call: ast.Call, index: int, name: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def recorded_kinds() -> set[str]:
    """Every action audit.record() is called with anywhere in the code: a literal,
    a local variable's literal values, or a parameter of a helper (moderation's
    _log, the agenda's _changed), followed to the helper's own callers."""
    kinds: set[str] = set()
    unresolved = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text())
            functions = {
                f.name: f
                for f in ast.walk(tree)
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call)]

            def resolve(expr, function, seen=(), calls=calls):
                found = _constants(expr)
                if found is not None:
                    return found
                if not isinstance(expr, ast.Name) or function is None:
                    return None
                params = [a.arg for a in function.args.args]
                if expr.id in params and function.name not in seen:
                    index = params.index(expr.id)
                    values: set[str] = set()
                    callers = [
                        c
                        for c in calls
                        if isinstance(c.func, ast.Name) and c.func.id == function.name
                    ]
                    for caller in callers:
                        outer = _enclosing(caller)
                        got = resolve(
                            _argument(caller, index, expr.id),
                            outer,
                            (*seen, function.name),
                        )
                        if got is None:
                            return None
                        values |= got
                    return values or None
                values = set()
                for node in ast.walk(function):
                    if isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == expr.id
                        for t in node.targets
                    ):
                        got = _constants(node.value)
                        if got is None:
                            return None
                        values |= got
                return values or None

            def _enclosing(node, functions=functions):
                for f in functions.values():
                    if any(n is node for n in ast.walk(f)):
                        return f
                return None

            for call in calls:
                func = call.func
                if not (
                    isinstance(func, ast.Attribute)
                    and func.attr == "record"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "audit"
                ):
                    continue
                found = resolve(_argument(call, 2, "action"), _enclosing(call))
                if found is None:
                    unresolved.append(f"{path.relative_to(ROOT)}:{call.lineno}")
                else:
                    kinds |= found
    assert not unresolved, f"audit kinds this test cannot follow: {unresolved}"
    return kinds


def test_every_recorded_kind_has_a_sentence():
    kinds = recorded_kinds()
    # the walk finds them all: forum, meeting, poll, member and token kinds
    for known in (
        "thread.renamed",
        "meeting.item_opened",
        "poll.closed",
        "role.granted",
    ):
        assert known in kinds
    assert len(kinds) >= 50, sorted(kinds)
    assert sorted(kinds - SENTENCES.keys()) == []


def _entries(app, session, world):
    with app.app_context():
        poll = make_poll(session, world.nord, world.organiser)
        poll.title = "Haushalt 2027"
        forum = make_forum(session, world.nord, world.organiser, name="Nord-Forum")
        thread = make_thread(session, forum, world.organiser, "Lastenrad", "Start")
        audit.record(
            session,
            world.organiser,
            "poll.created",
            organisation=world.nord,
            target=poll,
        )
        audit.record(
            session,
            world.board,
            "role.granted",
            organisation=world.nord,
            target=world.member,
            role="organiser",
        )
        audit.record(
            session,
            world.organiser,
            "thread.renamed",
            organisation=world.nord,
            target=thread,
            old="Rad",
            new="Lastenrad",
        )
        audit.record(
            session,
            None,
            "poll.closed",
            organisation=world.nord,
            target=poll,
            ballots=3,
            digest="ab" * 32,
            outcome="accepted",
        )
        audit.record(session, world.board, "some.future_kind", organisation=world.nord)
        session.commit()
        return world.organiser.name, world.board.name, world.member.name


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_change_log_reads_as_sentences_in_german(app, auth, client, session, world):
    organiser, board, member = _entries(app, session, world)
    auth.login(world.admin)
    page = _main(client.get("/members/audit").text)
    assert f"{organiser} hat die Abstimmung „Haushalt 2027“ angelegt." in page
    assert f"{board} hat {member} die Rolle „Moderation“ in OV Nord gegeben." in page
    assert f"{organiser} hat das Thema „Lastenrad“ umbenannt." in page
    assert (
        "Das System hat die Abstimmung „Haushalt 2027“ geschlossen und ausgezählt."
        in (page)
    )
    assert f"{board} hat eine Änderung vorgenommen." in page  # an unknown kind
    # organisation names, not ids; details folded as a labelled list
    assert "OV Nord" in page and "Gliederung 4" not in page
    details = page.split('<li class="audit-entry"')[1:]  # one per entry
    assert all('<details class="audit-entry__details">' in d for d in details)
    assert len(details) >= 5
    closed = next(d for d in details if "Prüfsumme der Urne" in d)
    assert "<dt>Ergebnis</dt>" in closed and "<dd>angenommen</dd>" in closed
    assert "<dt>Abgegebene Stimmzettel</dt>" in closed and "<dd>3</dd>" in closed
    renamed = next(d for d in details if "<dt>Bisher</dt>" in d)
    assert "<dd>Rad</dd>" in renamed
    # no event key and no raw JSON on the page, save the unknown kind's code
    # folded in its details
    shown = page.replace("some.future_kind", "")
    for kind in SENTENCES:
        assert kind not in shown, kind
    assert '{"' not in page and "&#34;" not in page


def test_change_log_reads_as_sentences_in_english(app, auth, client, session, world):
    organiser, board, member = _entries(app, session, world)
    auth.login(world.admin)
    auth.post("/profile/language", {"lang": "en", "next": "/members/audit"})
    page = _main(client.get("/members/audit").text)
    assert f"{organiser} created the poll “Haushalt 2027”." in page
    assert f"{board} gave {member} the role “Moderation” in OV Nord." not in page
    assert re.search(rf"{board} gave {member} the role “[^”]+” in OV Nord\.", page)
    assert "The system closed and counted the poll “Haushalt 2027”." in page
    assert "<dt>Result</dt>" in page and "<dd>accepted</dd>" in page
    assert "hat " not in page and "Abstimmung" not in page
    for kind in SENTENCES:
        assert kind not in page, kind


def test_entries_are_stored_unchanged(app, session, world):
    """The sentences only read the log: its entries and hash chain stay as stored."""
    _entries(app, session, world)
    with app.app_context():
        actions = session.query(AuditEntry.action).all()
        assert ("poll.created",) in actions
        assert audit.verify_chain(session).ok
