"""The documented, reproducible lot that decides ties in polls and elections.

Where candidates or options tie, their order is drawn by sorting them on
SHA-256(seed + ":" + id) as hex, smallest first; the seed is the ballot-box digest.
Anyone with the published ballot box computes the same digest and so the same lot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def lot_order(ids: Iterable[int], seed: str) -> list[int]:
    """The lot's order of the tied ids, first drawn first: sort by SHA-256(seed:id)."""
    return sorted(ids, key=lambda o: hashlib.sha256(f"{seed}:{o}".encode()).hexdigest())
