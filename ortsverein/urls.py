"""Links to many objects of one page, with the URL rule built once per page."""

from __future__ import annotations

from flask import url_for

# The largest id the app's int converter accepts (ortsverein.BoundedInt).
_MARKER = str(2**31 - 1)


class IdUrl:
    """`url_for(endpoint, **values, <key>=id)` for many ids: werkzeug builds a rule in
    tens of microseconds, which adds up to milliseconds over a page of twenty posts
    with several links each. The rule is built once with a marker id and split there;
    where the marker is ambiguous, every call builds the URL as before."""

    __slots__ = ("_endpoint", "_key", "_values", "_head", "_tail")

    def __init__(self, endpoint: str, key: str, **values) -> None:
        self._endpoint, self._key, self._values = endpoint, key, values
        url = url_for(endpoint, **values, **{key: int(_MARKER)})
        head, found, tail = url.partition(_MARKER)
        if found and _MARKER not in tail:
            self._head, self._tail = head, tail
        else:
            self._head = self._tail = None

    def __call__(self, id_: int) -> str:
        if self._head is None:
            return url_for(self._endpoint, **self._values, **{self._key: id_})
        return f"{self._head}{int(id_)}{self._tail}"
