"""Election count benchmark: STV of 20 candidates, 9 seats, 10,000 ballots.

Scottish STV and Meek STV (elections.count) on two profiles: a party-like one
(candidates of unequal popularity, each voter ranking 3 to 20 of them, drawn one
after another by popularity) and a uniform one (every ranking equally likely, full
length: the fewest shared prefixes, the worst case for the Meek prefix tree).
Baselines in the same process on the same ballots: one plain pass counting first
preferences (the least any count must do), and STVPoll's Scottish STV (a
maintained library; its rules differ in details, see tests/elections).
Target: each count under 2 s. Prints wall-clock seconds and the CPU seconds of
this process beside them (on a busy machine the count waits for a core). Prints
numbers, never pass/fail.
Usage: python bench/elections.py [--ballots N] [--candidates N] [--seats N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.forum import load  # noqa: E402
from bench.import_members import machine  # noqa: E402
from elections.count import Candidate, meek_stv, scottish_stv  # noqa: E402

SEED = "be" * 32


def party_like(rnd: random.Random, n: int, ballots: int) -> list[tuple[int, ...]]:
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n)]
    profile = []
    for _ in range(ballots):
        length = rnd.randint(3, n)
        left = list(range(1, n + 1))
        w = list(weights)
        ranking = []
        for _ in range(length):
            i = rnd.choices(range(len(left)), weights=w)[0]
            ranking.append(left.pop(i))
            w.pop(i)
        profile.append(tuple(ranking))
    return profile


def uniform(rnd: random.Random, n: int, ballots: int) -> list[tuple[int, ...]]:
    profile = []
    for _ in range(ballots):
        ranking = list(range(1, n + 1))
        rnd.shuffle(ranking)
        profile.append(tuple(ranking))
    return profile


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of this process (on a busy machine the CPU time
    is what the count itself costs)."""
    t0, c0 = time.perf_counter(), time.process_time()
    value = run()
    return time.perf_counter() - t0, time.process_time() - c0, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--seats", type=int, default=9)
    args = parser.parse_args()
    n, seats = args.candidates, args.seats
    print(f"machine: {machine()}; {load()}")
    candidates = [Candidate(i) for i in range(1, n + 1)]
    rnd = random.Random(18)
    for name, make in (("party-like", party_like), ("uniform", uniform)):
        ballots = make(rnd, n, args.ballots)
        distinct = len(set(ballots))
        base, _cpu, _ = timed(lambda b=ballots: Counter(x[0] for x in b))
        print(
            f"{name}: {args.ballots} ballots ({distinct} distinct), {n} candidates, "
            f"{seats} seats; one pass over the first preferences {1000 * base:.1f} ms"
        )
        try:
            from stvpoll.scottish_stv import calculate_scottish_stv

            lib, _cpu, _ = timed(
                lambda b=ballots: calculate_scottish_stv(
                    tuple(range(1, n + 1)), [(x, 1) for x in b], seats
                )
            )
        except ImportError:  # stvpoll is a test dependency
            print("  (STVPoll not installed: pip install -e '.[test]')")
            lib = float("nan")
        for method, count in (("Scottish STV", scottish_stv), ("Meek STV", meek_stv)):
            spent, cpu, result = timed(
                lambda c=count, b=ballots: c(candidates, b, seats=seats, seed=SEED)
            )
            assert result.elected and len(result.elected) == seats  # type: ignore[attr-defined]
            print(
                f"  {method:12} {spent:6.3f} s (CPU {cpu:.3f} s; target < 2 s); "
                f"{spent / base:6.0f} x one pass; {spent / lib:5.2f} x STVPoll's "
                f"Scottish STV ({lib:.3f} s); {len(result.rounds)} stages"  # type: ignore[attr-defined]
            )


if __name__ == "__main__":
    main()
