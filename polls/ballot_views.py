"""Poll pages for members: the ballot, the receipt, results and the ballot box."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user

from models import RoleName
from ortsverein.auth.decorators import member_required
from ortsverein.db import db, reads_first
from ortsverein.i18n import _, ngettext
from ortsverein.permissions import has_role
from ortsverein.web import back_to

from . import ballot_box as published
from . import bp, casting
from .charts import bar_chart, share
from .errors import InvalidChoices
from .forms import ReceiptForm, VoteForm
from .records import not_counted_yet, stored_result
from .rules import EACH, VOTES, each_answers, each_ballot
from .services import option_label
from .state import CLOSED, OPEN, status
from .views import load_poll, owner_notes

ID_RE = re.compile(r"[0-9]{1,9}")  # ASCII digits only ("²".isdigit() is true)

CHOICE_MAJORITY_TEXT = {
    "simple": lambda: _("relative Mehrheit (die meisten gültigen Stimmen)"),
    "absolute": lambda: _(
        "absolute Mehrheit (mehr als die Hälfte der gültigen Stimmen)"
    ),
    "two_thirds": lambda: _("Zwei-Drittel-Mehrheit der gültigen Stimmen"),
}


def rule_text(poll) -> str:
    """The majority rule in words, as it applies to this kind of poll."""
    kind = poll.kind.value
    if kind == "ranked":
        return _(
            "Rangfolge nach der Schulze-Methode; Gleichstand entscheidet das Los "
            "aus der Prüfsumme der Urne"
        )
    if kind == "multiple_choice":
        return _("Rangfolge nach Stimmenzahl")
    if kind == EACH:
        return _(
            "Ja, Nein oder Enthaltung je Option; Rangfolge nach Ja-Stimmen "
            "(wer gewählt ist, bestimmt bei einer Wahl deren Regel)"
        )
    if kind == "single_choice":
        return CHOICE_MAJORITY_TEXT[poll.majority.value]()
    return MAJORITY_TEXT[poll.majority.value]()


MAJORITY_TEXT = {
    "simple": lambda: _(
        "einfache Mehrheit (mehr Ja- als Nein-Stimmen; Enthaltungen zählen nicht)"
    ),
    "absolute": lambda: _(
        "absolute Mehrheit (mehr als die Hälfte der gültigen "
        "Stimmen, Enthaltungen eingeschlossen)"
    ),
    "two_thirds": lambda: _(
        "Zwei-Drittel-Mehrheit der Ja- und Nein-Stimmen (Enthaltungen zählen nicht)"
    ),
}


BLANK = "blank"  # the form's value for a deliberately blank ballot


def choices_from_form(poll, form) -> list:
    """The ballot as option ids from the submitted form, in the kind's shape. A
    ballot is final, so an empty one counts only when the member chose "blank":
    a form sent with nothing chosen is more likely an oversight."""
    kind = poll.kind.value
    if kind == EACH:
        return _each_choices(poll, form)
    choices = _choices(poll, form)
    # a radio value for single choice, a checkbox for multiple and ranked; for
    # yes/no/abstain abstaining is one of the options
    field = "choice" if kind == "single_choice" else BLANK
    blank = kind != "yes_no_abstain" and form.get(field) == BLANK
    if choices and blank:
        raise InvalidChoices(
            _(
                "Du hast Optionen gewählt und zugleich eine leere Stimme. Bitte "
                "entscheide dich für eins."
            )
        )
    if not choices and not blank:
        if kind == "yes_no_abstain":
            raise InvalidChoices(_("Bitte wähle Ja, Nein oder Enthaltung."))
        raise InvalidChoices(
            _(
                "Du hast keine Option gewählt. Wähle eine, oder gib ausdrücklich "
                "eine leere Stimme ab."
            )
        )
    return choices


def _each_choices(poll, form) -> list:
    """yes/no/abstain for each option: an option left unanswered is an abstention
    (as on a paper ballot, and as the ballot page says); a form with nothing
    answered at all is refused as an oversight."""
    answers = {
        o.id: form.get(f"answer-{o.id}")
        for o in poll.options
        if form.get(f"answer-{o.id}") in VOTES
    }
    if not answers:
        raise InvalidChoices(
            _(
                "Du hast bei keiner Option etwas angekreuzt. Kreuze je Option Ja, "
                "Nein oder Enthaltung an; wer sich bei allen enthalten will, "
                "kreuzt überall Enthaltung an."
            )
        )
    return each_ballot(answers)


def _choices(poll, form) -> list:
    kind = poll.kind.value
    if kind in ("yes_no_abstain", "single_choice"):
        raw = form.get("choice", "")
        return [int(raw)] if ID_RE.fullmatch(raw) else []
    if kind == "multiple_choice":
        return [int(v) for v in form.getlist("choices") if ID_RE.fullmatch(v)]
    ranks: dict[int, list[int]] = {}
    for option in poll.options:
        raw = form.get(f"rank-{option.id}", "")
        if ID_RE.fullmatch(raw):
            ranks.setdefault(int(raw), []).append(option.id)
    twice = [(rank, ids) for rank, ids in sorted(ranks.items()) if len(ids) > 1]
    if twice:
        labels = {o.id: o.label for o in poll.options}
        rank, ids = twice[0]
        raise InvalidChoices(
            _(
                "Rang %(rank)d hast du mehrfach vergeben (%(options)s). Jeder Rang "
                "darf nur einmal vergeben werden.",
                rank=rank,
                options=_names(ids, labels),
            )
        )
    ordered = [ids[0] for _rank, ids in sorted(ranks.items())]
    return ordered


@bp.route("/<int:poll_id>/vote", methods=["GET", "POST"])
@member_required
@reads_first
def vote(poll_id: int):
    poll = load_poll(poll_id)
    form = VoteForm()
    if status(poll) != OPEN:
        flash(_("Diese Abstimmung ist nicht geöffnet."), "info")
        return redirect(url_for("polls.detail", poll_id=poll.id))
    if casting.has_voted(db.session, poll, current_user):
        flash(
            _(
                "Du hast bereits abgestimmt. Jedes Mitglied hat eine Stimme; eine "
                "abgegebene Stimme ist endgültig."
            ),
            "info",
        )
        return redirect(url_for("polls.detail", poll_id=poll.id))
    if not casting.is_eligible(db.session, poll, current_user):
        # Before the member fills in a ballot, not after they confirmed it: the
        # poll's page says why they cannot vote.
        return redirect(url_for("polls.detail", poll_id=poll.id))
    selected: list = []
    # Voted meanwhile, closed, not eligible, its key gone: said on the poll's page.
    back_to(url_for("polls.detail", poll_id=poll.id))
    if request.method == "POST":
        try:
            selected = choices_from_form(poll, request.form)
            if form.validate_on_submit():
                code = casting.cast(db.session, poll, current_user, selected)
                return render_template("polls/receipt.html", poll=poll, code=code)
        except InvalidChoices as err:  # the ballot stays filled in
            db.session.rollback()
            flash(err.message, "error")
    ranks = {
        int(k.split("-")[1]): v[:3]
        for k, v in request.form.items()
        if k.startswith("rank-") and ID_RE.fullmatch(k.split("-")[1])
    }
    return render_template(
        "polls/vote.html", poll=poll, form=form, selected=selected, ranks=ranks
    ), (422 if request.method == "POST" else 200)


def _names(ids, labels) -> str:
    names = [labels[int(i)] for i in ids]
    if len(names) < 2:
        return "".join(names)
    return _("%(a)s und %(b)s", a=", ".join(names[:-1]), b=names[-1])


def beats_everyone(pairwise: dict, winner: int) -> bool:
    """A Condorcet winner: more prefer it to each other option than the reverse."""
    w = str(winner)
    return all(
        pairwise[w][other] > pairwise[other][w] for other in pairwise if other != w
    )


def headline(poll, result: dict, labels: dict) -> str:
    """The result as one plain sentence, said before any number or table."""
    outcome, kind = result["outcome"], poll.kind.value
    counts = {int(k): v for k, v in result["counts"].items()}
    valid = result["valid"]
    if outcome == "empty":
        return _("Es wurde keine Stimme abgegeben.")
    if outcome == "no_quorum":
        return _(
            "Nicht bindend: Das Quorum von %(q)s %% der Stimmberechtigten ist "
            "nicht erreicht (Beteiligung %(t)s %%).",
            q=format_decimal(poll.quorum_percent),
            t=format_decimal(result["turnout_percent"]),
        )
    if kind == "yes_no_abstain":
        yes_id, no_id = poll.options[0].id, poll.options[1].id
        yes, no = counts.get(yes_id, 0), counts.get(no_id, 0)
        if poll.majority.value == "absolute":
            percent = format_decimal(share(yes, valid))
            if outcome == "accepted":
                return _("Ja gewinnt mit %(p)s %% der gültigen Stimmen.", p=percent)
            return _(
                "Der Antrag scheitert: Ja erhält %(p)s %% der gültigen Stimmen.",
                p=percent,
            )
        percent = format_decimal(share(yes, yes + no))
        if outcome == "accepted":
            return _("Ja gewinnt mit %(p)s %% der Ja- und Nein-Stimmen.", p=percent)
        return _(
            "Der Antrag scheitert: Ja erhält %(p)s %% der Ja- und Nein-Stimmen.",
            p=percent,
        )
    if kind == "ranked":
        if outcome != "decided":
            return _("Niemand ist gewählt: Alle Stimmzettel sind leer.")
        winner = result["winners"][0]
        if result["lot_used"]:
            return _(
                "%(o)s liegt nach der Schulze-Methode vorn; den Gleichstand an der "
                "Spitze entschied das Los.",
                o=labels[winner],
            )
        if beats_everyone(result["pairwise"], winner):
            return _("%(o)s gewinnt jeden direkten Vergleich.", o=labels[winner])
        return _(
            "%(o)s gewinnt nach der Schulze-Methode (keine Option gewinnt jeden "
            "direkten Vergleich).",
            o=labels[winner],
        )
    top = result["ranking"][0] if result["ranking"] else []
    if kind == EACH:
        if not valid or not top:
            return _("Alle Stimmzettel enthalten sich bei jeder Option.")
        return ngettext(
            "Die meisten Ja-Stimmen erhält %(o)s: %(n)s von %(total)d Stimmzetteln.",
            "Die meisten Ja-Stimmen erhalten %(o)s: je %(n)s von %(total)d "
            "Stimmzetteln.",
            len(top),
            o=_names(top, labels),
            n=counts.get(top[0], 0),
            total=result["ballots"],
        )
    if kind == "multiple_choice":
        if not valid:
            return _("Alle Stimmzettel sind leer.")
        return (
            ngettext(
                "Die meisten Stimmen erhält %(o)s: %(n)s von %(valid)d gültigen "
                "Stimmzetteln.",
                "Die meisten Stimmen erhalten %(o)s: je %(n)s von %(valid)d "
                "gültigen Stimmzetteln.",
                # ngettext's own `num` is the number of options at the top
                len(top),
                o=_names(top, labels),
                n=counts.get(top[0], 0),
                valid=valid,
            )
            if top
            else _("Die Stimmen sind ausgezählt.")
        )
    if outcome == "decided":
        winner = result["winners"][0]
        percent = format_decimal(share(counts.get(winner, 0), valid))
        if result["lot_used"]:
            return _(
                "%(o)s gewinnt durch Los bei Gleichstand, mit %(p)s %% der gültigen "
                "Stimmen.",
                o=labels[winner],
                p=percent,
            )
        return _(
            "%(o)s gewinnt mit %(p)s %% der gültigen Stimmen.",
            o=labels[winner],
            p=percent,
        )
    if not valid or not top:
        return _("Niemand ist gewählt: Alle Stimmzettel sind leer.")
    return _(
        "Keine Option hat die nötige Mehrheit; vorn liegt %(o)s mit %(p)s %% der "
        "gültigen Stimmen.",
        o=_names(top, labels),
        p=format_decimal(share(counts.get(top[0], 0), valid)),
    )


def quorum_text(poll, result: dict) -> str:
    """The quorum rule and whether it was met, in words."""
    if not poll.quorum_percent:
        return _(
            "Kein Quorum vorgeschrieben; abgestimmt haben %(n)d von %(e)d "
            "Stimmberechtigten.",
            n=result["ballots"],
            e=result["electorate"],
        )
    values = {
        "q": format_decimal(poll.quorum_percent),
        "n": result["ballots"],
        "e": result["electorate"],
    }
    if result["quorum_met"]:
        return _(
            "Mindestens %(q)s %% der Stimmberechtigten mussten abstimmen; "
            "abgestimmt haben %(n)d von %(e)d: erreicht.",
            **values,
        )
    return _(
        "Mindestens %(q)s %% der Stimmberechtigten mussten abstimmen; "
        "abgestimmt haben %(n)d von %(e)d: nicht erreicht.",
        **values,
    )


@bp.route("/<int:poll_id>/results")
@member_required
def results(poll_id: int):
    poll = load_poll(poll_id)
    if status(poll) != CLOSED:
        flash(_("Ergebnisse gibt es erst nach dem Ende der Abstimmung."), "info")
        return redirect(url_for("polls.detail", poll_id=poll.id))
    result = stored_result(poll)
    if result is None:  # its time is up, but it is not sealed yet (or has no key)
        flash(not_counted_yet(poll), "info")
        return redirect(url_for("polls.detail", poll_id=poll.id))
    labels = {o.id: option_label(poll, o.label) for o in poll.options}
    rows = [(o, result["counts"].get(str(o.id), 0)) for o in poll.options]
    ranked = poll.kind.value == "ranked"
    winners = {int(w) for w in result["winners"]}
    if (
        poll.kind.value in ("multiple_choice", EACH)
        and result["ranking"]
        and result["valid"]
    ):
        winners = {int(w) for w in result["ranking"][0]}
    each = poll.kind.value == EACH
    chart = bar_chart(
        _("Erstpräferenzen je Option")
        if ranked
        else _("Ja-Stimmen je Option")
        if each
        else _("Stimmen je Option"),
        [(labels[o.id], n) for o, n in rows],
        # multiple choice: the share of ballots naming the option; yes/no/abstain
        # for each: the share of all ballots answering yes
        total=(
            result["ballots"]
            if each
            else result["valid"]
            if poll.kind.value != "yes_no_abstain"
            else None
        ),
        highlight=frozenset(i for i, (o, _n) in enumerate(rows) if o.id in winners),
    )
    return render_template(
        "polls/results.html",
        poll=poll,
        result=result,
        rows=rows,
        answers=(
            [(o, result.get("answers", {}).get(str(o.id), {})) for o in poll.options]
            if each
            else []
        ),
        labels=labels,
        chart=chart,
        headline=headline(poll, result, labels),
        quorum_text=quorum_text(poll, result),
        majority_text=rule_text(poll),
        is_board=has_role(current_user, poll.organisation, RoleName.BOARD),
        owner_notes=owner_notes(poll),
    )


def each_words(poll, ballot: list[int], labels: dict) -> list[str]:
    """A yes/no/abstain-for-each ballot in words, every option in order."""
    answers = each_answers(ballot)
    words = {"yes": _("Ja"), "no": _("Nein"), "abstain": _("Enthaltung")}
    return [
        _("%(o)s: %(a)s", o=labels[o.id], a=words[answers.get(o.id, "abstain")])
        for o in poll.options
    ]


BOX_PAGE = 2000  # ballots and receipts listed on the page; the API has them all


@bp.route("/<int:poll_id>/ballot-box", methods=["GET", "POST"])
@member_required
def ballot_box(poll_id: int):
    poll = load_poll(poll_id)
    if status(poll) != CLOSED:
        abort(404)
    form = ReceiptForm()
    checked = None
    if form.validate_on_submit():
        checked = published.receipt_counted(db.session, poll, form.code.data or "")
    box = published.ballot_box_page(db.session, poll, BOX_PAGE)
    labels = {o.id: option_label(poll, o.label) for o in poll.options}
    if poll.kind.value == EACH:  # each ballot as "option: yes, option: no"
        box["ballots"] = [each_words(poll, b, labels) for b in box["ballots"]]
    return render_template(
        "polls/ballot_box.html",
        poll=poll,
        box=box,
        form=form,
        checked=checked,
        labels=labels,
    )
