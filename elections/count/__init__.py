"""The count of an election: pure functions, no Flask, no SQL (like polls.tally).

Each method takes the candidates, the valid ballots and the ballot-box digest as
the seed of the lot, and returns a CountResult: the elected in order, the votes of
every candidate in every round or stage, the seats that went by the gender quota,
the ties decided by lot, the seats left open, the rule cited and an explanation of
translatable sentences.

Ballots: single_seat and block take the set of candidates each ballot names
(empty: abstention); single_candidate and approval a mapping candidate -> "yes",
"no" or "abstain" (missing: abstain); scottish_stv and meek_stv the preferences,
best first (empty: blank, not counted).
"""

from __future__ import annotations

from .approval import RULE_APPROVAL, RULE_BLOCK, ShareBase, approval, block
from .gender import fill_seats
from .majority import (
    RULE_SINGLE_CANDIDATE,
    RULE_SINGLE_CANDIDATE_ABSOLUTE,
    RULE_SINGLE_SEAT,
    SecondRound,
    YesNoMajority,
    single_candidate,
    single_seat,
)
from .meek import RULE_MEEK, meek_stv
from .result import (
    Candidate,
    CountResult,
    GenderQuota,
    Lot,
    QuotaSeat,
    Round,
    Sentence,
    Vote,
)
from .stv import RULE_SCOTTISH, scottish_stv

__all__ = [
    "RULE_APPROVAL",
    "RULE_BLOCK",
    "RULE_MEEK",
    "RULE_SCOTTISH",
    "RULE_SINGLE_CANDIDATE",
    "RULE_SINGLE_CANDIDATE_ABSOLUTE",
    "RULE_SINGLE_SEAT",
    "Candidate",
    "CountResult",
    "GenderQuota",
    "Lot",
    "QuotaSeat",
    "Round",
    "SecondRound",
    "Sentence",
    "ShareBase",
    "Vote",
    "YesNoMajority",
    "approval",
    "block",
    "fill_seats",
    "meek_stv",
    "scottish_stv",
    "single_candidate",
    "single_seat",
]
