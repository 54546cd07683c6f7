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
    short = {
        g: minimum - sum(1 for e in elected if candidates[e].gender == g)
        for g in quota.genders
    }
    unexplained = seats - len(elected) - open_seats
    if unexplained and any(n > 0 for n in short.values()):
        # the ranking ran out before the quota was met: say so for those seats
        notes.append(
            say(
                N_(
                    "Offene Sitze: %(open)s. Die Quote verlangt noch Personen des "
                    "Geschlechts %(gender)s, und keine solche Person ist mehr "
                    "wählbar; diese Sitze werden in einem weiteren Wahlgang besetzt."
                ),
                open=min(unexplained, sum(n for n in short.values() if n > 0)),
                gender="/".join(sorted(g for g, n in short.items() if n > 0)),
            )
        )
    open_seats = seats - len(elected)
    return Filled(tuple(elected), tuple(by_quota), open_seats, tuple(notes))


class Guard:
    """The gender quota inside an STV count, where seats are filled as candidates
    reach the quota rather than from a finished ranking.

    Once the seats still open are all needed by genders below their minimum, a
    continuing candidate of any other gender is blocked: excluded by quota when
    the count would elect or keep them. A candidate of a gender in need is
    protected from exclusion while that gender has no more continuing candidates
    than it needs. Without a quota nobody is blocked or protected."""

    def __init__(
        self,
        quota: GenderQuota | None,
        seats: int,
        candidates: Mapping[int, Candidate],
    ) -> None:
        self.quota = quota
        self.seats = seats
        self.candidates = candidates
        self.minimum = quota.minimum(seats) if quota else 0
        self.passed_over: list[int] = []

    def gender(self, c: int) -> str | None:
        return self.candidates[c].gender

    def needs(self, elected: Sequence[int]) -> dict[str, int]:
        if self.quota is None:
            return {}
        return {
            g: max(0, self.minimum - sum(1 for e in elected if self.gender(e) == g))
            for g in self.quota.genders
        }

    def reserved(self, elected: Sequence[int]) -> bool:
        """Every open seat is needed by the quota."""
        needs = self.needs(elected)
        return bool(needs) and sum(needs.values()) >= self.seats - len(elected)

    def blocked(self, c: int, elected: Sequence[int]) -> bool:
        needs = self.needs(elected)
        return self.reserved(elected) and needs.get(self.gender(c) or "", 0) == 0

    def protected(self, c: int, elected: Sequence[int], continuing: set[int]) -> bool:
        need = self.needs(elected).get(self.gender(c) or "", 0)
        same = sum(1 for o in continuing if self.gender(o) == self.gender(c))
        return need > 0 and same <= need

    def seat_note(self, seat: int, c: int, elected: Sequence[int]) -> QuotaSeat | None:
        """The seat `c` takes went by quota when candidates were excluded by quota
        before it was filled."""
        if not self.passed_over or self.quota is None:
            return None
        return QuotaSeat(seat, c, self.gender(c) or "", tuple(self.passed_over))

    def blocked_sentence(self, c: int) -> Sentence:
        self.passed_over.append(c)
        return say(
            N_(
                "%(candidate)s scheidet nach der Quote aus: die offenen Sitze "
                "werden für die Mindestzahl der Geschlechter %(genders)s gebraucht."
            ),
            candidate=[c],
            genders="/".join(self.quota.genders if self.quota else ()),
        )

    def open_sentence(self, open_seats: int, elected: Sequence[int]) -> Sentence:
        needs = self.needs(elected)
        short = sorted(g for g, n in needs.items() if n > 0)
        return say(
            N_(
                "Offene Sitze: %(open)s. Die Quote verlangt noch Personen des "
                "Geschlechts %(gender)s, und keine solche Person ist mehr "
                "wählbar; diese Sitze werden in einem weiteren Wahlgang besetzt."
            ),
            open=open_seats,
            gender="/".join(short),
        )
