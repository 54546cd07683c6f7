"""Filling seats in ranked order under a minimum share per gender.

Seats are filled one by one from the ranking (best first). Before each seat the
count asks how many seats each quota gender still needs (its minimum less those
of it already elected). When those needs together take every remaining seat, the
seat goes to the best placed candidate of a gender still in need: by quota, when a
better placed candidate of another gender is passed over. When no candidate of a
gender in need is left, the seat stays open for a further round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .result import N_, Candidate, GenderQuota, QuotaSeat, Sentence, percent, say


@dataclass(frozen=True)
class Filled:
    elected: tuple[int, ...]
    quota_seats: tuple[QuotaSeat, ...]
    open_seats: int
    explanation: tuple[Sentence, ...]


def fill_seats(
    ranking: Sequence[int],
    seats: int,
    candidates: Mapping[int, Candidate],
    quota: GenderQuota | None,
) -> Filled:
    """Fill up to `seats` from `ranking` (eligible candidates, best first)."""
    if quota is None:
        chosen = tuple(ranking[:seats])
        return Filled(chosen, (), seats - len(chosen), ())
    minimum = quota.minimum(seats)
    elected: list[int] = []
    by_quota: list[QuotaSeat] = []
    notes: list[Sentence] = [
        say(
            N_(
                "Quote: mindestens %(minimum)s von %(seats)s Sitzen für jedes "
                "Geschlecht (%(share)s %%, kaufmännisch gerundet)."
            ),
            minimum=minimum,
            seats=seats,
            share=percent(quota.min_share),
        )
    ]
    open_seats = 0
    remaining = list(ranking)
    while remaining and len(elected) + open_seats < seats:
        seat = len(elected) + open_seats + 1
        left = seats - seat + 1
        need = {
            g: max(0, minimum - sum(1 for e in elected if candidates[e].gender == g))
            for g in quota.genders
        }
        needy = sorted(g for g, n in need.items() if n > 0)
        pick = remaining[0]
        if needy and sum(need.values()) >= left:
            found = next((c for c in remaining if candidates[c].gender in needy), None)
            if found is None:
                open_seats += 1
                notes.append(
                    say(
                        N_(
                            "Sitz %(seat)s bleibt offen: die Quote verlangt hier "
                            "eine Person des Geschlechts %(gender)s, und keine "
                            "solche Person ist gewählt worden oder wählbar. Der Sitz "
                            "wird in einem weiteren Wahlgang besetzt."
                        ),
                        seat=seat,
                        gender="/".join(needy),
                    )
                )
                continue
            pick = found
            passed = tuple(remaining[: remaining.index(pick)])
            if passed:
                gender = candidates[pick].gender or ""
                by_quota.append(QuotaSeat(seat, pick, gender, passed))
                notes.append(
                    say(
                        N_(
                            "Sitz %(seat)s geht nach der Quote an %(candidate)s "
                            "(Geschlecht %(gender)s); übergangen wurden "
                            "%(passed)s."
                        ),
                        seat=seat,
                        candidate=[pick],
                        gender=gender,
                        passed=list(passed),
                    )
                )
        elected.append(pick)
        remaining.remove(pick)
    open_seats = seats - len(elected)
    return Filled(tuple(elected), tuple(by_quota), open_seats, tuple(notes))
