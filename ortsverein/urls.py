"""Links to many objects of one page, with the URL rule built once per page."""

from __future__ import annotations

from typing import Any

from flask import url_for

# Ids the app's int converter accepts (ortsverein.BoundedInt), unlikely in real URLs.
_MARKERS = (2**31 - 1, 2**31 - 2, 2**31 - 3)


def id_url(endpoint: str, key: str, **values) -> str:
    """`url_for(endpoint, **values, <key>=...)` as a printf pattern with `%d` for the
    id, for a template's `pattern|format(id)`: werkzeug builds a rule in tens of
    microseconds, which adds up to milliseconds over a page of twenty posts with
    several links each. The rule is built once with a marker id, replaced by %d."""
    for marker in _MARKERS:
        by_key: dict[str, Any] = {key: marker}
        url = url_for(endpoint, **values, **by_key)
        if url.count(str(marker)) == 1:
            return url.replace("%", "%%").replace(str(marker), "%d")
    raise ValueError(f"no unambiguous marker for {endpoint} {values}")
