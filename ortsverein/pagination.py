"""Page-by-page listing of a select, shared by HTML lists and the JSON API."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 100
PAGE_RE = re.compile(r"[0-9]{1,7}")


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)


def parse_page_args(args, default_per_page: int) -> tuple[int, int]:
    """Page number and size from query arguments; nonsense falls back to defaults."""

    def as_int(name: str, default: int) -> int:
        raw = str(args.get(name, ""))
        # ASCII digits only ("²".isdigit() is true), and a sane size
        if PAGE_RE.fullmatch(raw) and int(raw) > 0:
            return int(raw)
        return default

    return as_int("page", 1), min(as_int("per_page", default_per_page), MAX_PER_PAGE)


def paginate(session: Session, query: Select, page: int, per_page: int) -> Page:
    total = session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total or 0)
