"""The one cache seam: named, bounded LRU caches with counters, switchable off.

Every per-process cache of the app is a `Cache` from here (docs/performance.md lists
them, each with its key and why it is safe). A cache is either one store for the
process or, with `per_app=True`, one store per Flask app (kept in `app.extensions`,
so it lives and dies with the app, as a test's app does). Stores are LRU: a hit
moves its entry to the end, a full store drops the entry used longest ago.

`ORTSVEREIN_CACHES=off` (config.ENVIRONMENT `CACHES`, read once per process) turns
every cache off: each get misses and nothing is stored, so the app behaves the same,
only slower. The suite runs the SQLite half of every two-database test that way
(tests/conftest.py, `set_enabled`).

Thread-safe under threading and gevent: one lock per cache guards its stores and
counters, and is never held while a value is made (making one may render templates
that use other caches, or yield to another greenlet).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask.sansio.app import App

from config import caches_from_environment

from .app_object import app_object

_EXTENSION = "ortsverein_caches"  # app.extensions[_EXTENSION][name] -> store
_MISSING = object()

REGISTRY: dict[str, Cache] = {}
_enabled = caches_from_environment()


class _Store(OrderedDict):
    """One store of a cache, equal only to itself: a WeakSet can hold it."""

    # typeshed declares dict.__hash__ as None, with no way to restore it in a subclass.
    __hash__ = object.__hash__  # type: ignore[assignment]

    def __eq__(self, other):
        return self is other


def enabled() -> bool:
    """Whether caches keep anything in this process (ORTSVEREIN_CACHES)."""
    return _enabled


def set_enabled(on: bool) -> bool:
    """Switch every cache on or off (for tests); returns the previous setting."""
    global _enabled
    previous, _enabled = _enabled, bool(on)
    if not on:
        clear_all()
    return previous


class Cache:
    """A named, bounded LRU cache, one store per process or per app."""

    def __init__(self, name: str, maxsize: int, *, per_app: bool = False):
        if maxsize < 1:
            raise ValueError("a cache holds at least one entry")
        if name in REGISTRY:
            raise ValueError(f"a cache named {name!r} exists already")
        self.name = name
        self.maxsize = maxsize
        self.per_app = per_app
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._process = _Store()
        self._stores: weakref.WeakSet[_Store] = weakref.WeakSet()
        if not per_app:
            self._stores.add(self._process)
        REGISTRY[name] = self

    def __repr__(self) -> str:
        scope = "per app" if self.per_app else "per process"
        return f"<Cache {self.name} {scope} maxsize={self.maxsize}>"

    def _store(self, app: App | None) -> _Store:
        if not self.per_app:
            return self._process
        if app is None:
            app = app_object()
        stores = app.extensions.get(_EXTENSION)
        if stores is None:
            stores = app.extensions.setdefault(_EXTENSION, {})
        store = stores.get(self.name)
        if store is None:
            with self._lock:
                store = stores.setdefault(self.name, _Store())
                self._stores.add(store)
        return store

    def get(self, key: Hashable, default: Any = None, *, app: App | None = None):
        """The value kept for `key`, or `default` (always, with caches off)."""
        if not _enabled:
            with self._lock:
                self.misses += 1
            return default
        store = self._store(app)
        with self._lock:
            value = store.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            store.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any, *, app: App | None = None) -> None:
        """Keep `value` under `key`, dropping the entry used longest ago if full."""
        if not _enabled:
            return
        store = self._store(app)
        with self._lock:
            # Make room first: never more than maxsize entries, even for a moment
            # (another store of the same cache may be read without this lock).
            if key not in store:
                while len(store) >= self.maxsize:
                    store.popitem(last=False)
            store[key] = value
            store.move_to_end(key)

    def get_or_make(
        self, key: Hashable, make: Callable[[], Any], *, app: App | None = None
    ):
        """The value kept for `key`, else `make()`, kept. `make` runs unlocked: two
        threads may both make a value, and the later one is kept."""
        value = self.get(key, _MISSING, app=app)
        if value is _MISSING:
            value = make()
            self.put(key, value, app=app)
        return value

    def pop(self, key: Hashable, *, app: App | None = None) -> None:
        """Forget `key`, if it is kept."""
        if not _enabled:
            return
        store = self._store(app)
        with self._lock:
            store.pop(key, None)

    def size(self, *, app: App | None = None) -> int:
        """Entries kept for this process, or for the app (default: the current)."""
        store = self._store(app)
        with self._lock:
            return len(store)

    def clear(self, *, app: App | None = None) -> None:
        """Forget every entry of this process's store, or of the app's."""
        store = self._store(app)
        with self._lock:
            store.clear()

    def clear_everywhere(self) -> None:
        """Forget every entry in every store, that of each live app included."""
        with self._lock:
            for store in list(self._stores):
                store.clear()

    def stats(self) -> dict[str, Any]:
        """Counters since start, and the entries kept over all live stores."""
        with self._lock:
            size = sum(len(store) for store in self._stores)
            return {
                "hits": self.hits,
                "misses": self.misses,
                "size": size,
                "maxsize": self.maxsize,
                "per_app": self.per_app,
            }


def kept_unless_debug(
    cache: Cache, key: Hashable, make: Callable[..., Any], *args: Any, app: App
):
    """cache.get_or_make(key, make(*args)) for what templates render (compiled
    macros, HTML): in debug mode always made afresh, so an edited template shows
    at once."""
    if app.debug:
        return make(*args)
    return cache.get_or_make(key, lambda: make(*args), app=app)


def stats() -> dict[str, dict[str, Any]]:
    """Every registered cache's counters and size, by name."""
    return {name: cache.stats() for name, cache in sorted(REGISTRY.items())}


def clear_all() -> None:
    """Empty every registered cache, in every live app and in this process."""
    for cache in list(REGISTRY.values()):
        cache.clear_everywhere()
