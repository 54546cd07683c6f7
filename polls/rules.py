"""Ballot and outcome rules of member polls: pure functions, no Flask, no SQL.

Conventions (stated on every result page and export):
- Turnout counts every ballot cast, blank and abstaining ballots included, against the
  electorate frozen at opening. The quorum is met when ballots * 100 >= quorum_percent
  * electorate (so 20 % of 100 members is met by exactly 20 ballots).
- yes/no/abstain polls have three options in this order: yes, no, abstain.
  * simple: more yes than no; abstentions do not count.
  * absolute: more yes than half of all valid votes, abstentions included.
  * two_thirds: yes at least two thirds of the yes and no votes; abstentions do not
    count.
- single choice: the option with most votes wins; under `absolute` it needs more than
  half of the valid (non-blank) ballots, under `two_thirds` at least two thirds.
- multiple choice: each ballot names min_choices to max_choices options; options are
  ranked by votes.
- yes/no/abstain for each option (Listenwahl, `yes_no_abstain_each`): a ballot
  answers every option with yes, no or abstain. Canonical form: the ids of the
  options answered yes, and the negated ids of those answered no, in option-id
  order; an option left out is an abstention (so [12, -14] is yes to 12, abstain on
  13, no to 14). A ballot abstaining on every option is [] and counts as blank.
  Options are ranked by yes votes; what a yes share decides (who is elected) is
  the caller's rule (elections.count.approval).
- ranked: Schulze method over the preference orders (see tally.schulze).
- Ties that decide the outcome are broken by a lot drawn from the ballot-box digest
  (ortsverein.lot.lot_order), which anyone holding the published ballot box can
  reproduce.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

KINDS = (
    "yes_no_abstain",
    "single_choice",
    "multiple_choice",
    "ranked",
    "yes_no_abstain_each",
)
EACH = "yes_no_abstain_each"
VOTES = ("yes", "no", "abstain")
MAJORITIES = ("simple", "absolute", "two_thirds")


@dataclass(frozen=True)
class PollDefinition:
    kind: str
    option_ids: tuple[int, ...]
    electorate_size: int
    quorum_percent: Fraction = Fraction(0)
    majority: str = "simple"
    min_choices: int = 0
    max_choices: int = 1
    tie_seed: str = ""  # the ballot-box digest

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown poll kind {self.kind!r}")
        if self.majority not in MAJORITIES:
            raise ValueError(f"unknown majority rule {self.majority!r}")
        if self.kind == "yes_no_abstain" and len(self.option_ids) != 3:
            raise ValueError("a yes/no/abstain poll has exactly three options")


class InvalidBallot(ValueError):
    """A ballot that breaks a rule; `rule` is a stable code, the message says which."""

    def __init__(self, rule: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.rule = rule
        self.values = values


def check_ballot(definition: PollDefinition, choices: list[int]) -> tuple[int, ...]:
    """Return the canonical ballot for valid choices; raise InvalidBallot otherwise.
    An empty ballot is a blank vote where the kind allows one."""
    if not isinstance(choices, list | tuple) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in choices
    ):
        raise InvalidBallot("not_option_ids", "choices must be a list of option ids")
    if definition.kind == EACH:
        return _check_each(definition, choices)
    unknown = [c for c in choices if c not in definition.option_ids]
    if unknown:
        raise InvalidBallot("unknown_option", "unknown option", options=unknown)
    if len(set(choices)) != len(choices):
        raise InvalidBallot("duplicate_option", "an option is named twice")
    kind, n = definition.kind, len(choices)
    if kind in ("yes_no_abstain", "single_choice"):
        if n > 1:
            raise InvalidBallot("too_many", "only one option may be chosen", maximum=1)
        return tuple(choices)
    if kind == "multiple_choice":
        if n and n < definition.min_choices:
            raise InvalidBallot(
                "too_few", "too few options chosen", minimum=definition.min_choices
            )
        if n > definition.max_choices:
            raise InvalidBallot(
                "too_many", "too many options chosen", maximum=definition.max_choices
            )
        return tuple(sorted(choices))  # order carries no meaning
    return tuple(choices)  # ranked: order of preference, a prefix of the options


def _check_each(definition: PollDefinition, choices: list[int]) -> tuple[int, ...]:
    """yes/no/abstain for each option: +id is yes, -id no, a left-out option an
    abstention; canonical in option-id order."""
    unknown = [c for c in choices if abs(c) not in definition.option_ids]
    if unknown:
        raise InvalidBallot("unknown_option", "unknown option", options=unknown)
    if len({abs(c) for c in choices}) != len(choices):
        raise InvalidBallot("duplicate_option", "an option is answered twice")
    return tuple(sorted(choices, key=abs))


def each_ballot(answers: dict[int, str]) -> list[int]:
    """The ballot for {option id: "yes" | "no" | "abstain"} (see the module text)."""
    if any(v not in VOTES for v in answers.values()):
        raise InvalidBallot("not_yes_no_abstain", "an answer is yes, no or abstain")
    return sorted(
        (o if v == "yes" else -o for o, v in answers.items() if v != "abstain"),
        key=abs,
    )


def each_answers(ballot: list[int] | tuple[int, ...]) -> dict[int, str]:
    """{option id: "yes" | "no"} of a canonical ballot (left out: abstain)."""
    return {abs(c): "yes" if c > 0 else "no" for c in ballot}


def quorum_met(ballots: int, electorate: int, quorum_percent: Fraction) -> bool:
    return ballots * 100 >= quorum_percent * electorate


def turnout_percent(ballots: int, electorate: int) -> float:
    return round(100 * ballots / electorate, 2) if electorate else 0.0


def yes_no_carried(yes: int, no: int, abstain: int, majority: str) -> bool:
    """Whether a motion is carried under the majority rule (see the module text)."""
    if majority == "simple":
        return yes > no
    if majority == "absolute":
        return 2 * yes > yes + no + abstain
    return yes + no > 0 and 3 * yes >= 2 * (yes + no)


def choice_has_majority(votes: int, valid: int, majority: str) -> bool:
    """Whether the leading option of a single-choice poll has the required majority."""
    if majority == "simple":
        return votes > 0
    if majority == "absolute":
        return 2 * votes > valid
    return valid > 0 and 3 * votes >= 2 * valid
