"""The cache seam: bounded LRU stores, counters, clear_all and the off switch."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from ortsverein import caches
from ortsverein.caches import Cache


@pytest.fixture
def on():
    previous = caches.set_enabled(True)
    yield
    caches.set_enabled(previous)


@pytest.fixture
def make_cache():
    made = []

    def make(maxsize: int = 3, **kw) -> Cache:
        cache = Cache(f"test.{len(made)}", maxsize, **kw)
        made.append(cache.name)
        return cache

    yield make
    for name in made:
        caches.REGISTRY.pop(name, None)


def test_a_full_cache_drops_the_entry_used_longest_ago(on, make_cache):
    cache = make_cache(3)
    for n in range(3):
        cache.put(n, str(n))
    assert cache.get(0) == "0"  # 0 is now the newest
    cache.put(3, "3")
    assert cache.size() == 3
    assert cache.get(1) is None  # the oldest one went
    assert [cache.get(n) for n in (0, 2, 3)] == ["0", "2", "3"]


def test_counters_and_stats(on, make_cache):
    cache = make_cache(2)
    made = []
    for key in ("a", "a", "b", "a"):
        cache.get_or_make(key, lambda k=key: made.append(k) or k.upper())
    assert made == ["a", "b"]
    assert (cache.hits, cache.misses) == (2, 2)
    assert caches.stats()[cache.name] == {
        "hits": 2,
        "misses": 2,
        "size": 2,
        "maxsize": 2,
        "per_app": False,
    }
    cache.pop("a")
    assert cache.get("a", "gone") == "gone"


def test_per_app_caches_keep_one_store_per_app(on, make_cache):
    cache = make_cache(5, per_app=True)
    first, second = Flask("first"), Flask("second")
    with first.app_context():
        cache.put("k", 1)
        assert cache.get("k") == 1
    assert cache.get("k", app=second) is None
    cache.put("k", 2, app=second)
    assert (cache.get("k", app=first), cache.get("k", app=second)) == (1, 2)
    assert cache.stats()["size"] == 2
    cache.clear(app=first)
    assert (cache.size(app=first), cache.size(app=second)) == (0, 1)


def test_clear_all_empties_every_store(on, make_cache):
    process, per_app = make_cache(), make_cache(per_app=True)
    app = Flask("cleared")
    process.put(1, 1)
    per_app.put(1, 1, app=app)
    caches.clear_all()
    assert process.size() == 0 and per_app.size(app=app) == 0
    assert process.get(1) is None and per_app.get(1, app=app) is None


def test_with_caches_off_every_get_misses_and_nothing_is_kept(on, make_cache):
    cache = make_cache()
    cache.put("kept", 1)
    caches.set_enabled(False)
    assert cache.size() == 0  # switching off forgets what was kept
    cache.put("x", 1)
    made = [cache.get_or_make("y", lambda: object()) for _ in range(2)]
    assert made[0] is not made[1]
    assert cache.get("x") is None and cache.size() == 0
    assert cache.hits == 0 and cache.misses == 3


def test_names_are_unique_and_bounds_positive(make_cache):
    cache = make_cache()
    with pytest.raises(ValueError, match="exists"):
        Cache(cache.name, 3)
    with pytest.raises(ValueError):
        Cache("test.empty", 0)


def test_every_cache_of_the_app_is_registered_and_bounded():
    import discussions.post_html  # noqa: F401
    import ortsverein.security  # noqa: F401
    import ortsverein.shared_pages  # noqa: F401
    import ortsverein.template_texts  # noqa: F401
    import ortsverein.templating  # noqa: F401
    import polls.open_polls  # noqa: F401

    names = {n for n in caches.REGISTRY if not n.startswith("test.")}
    assert {
        "shared_pages",
        "post_html",
        "sessions",
        "csrf_tokens",
        "nav_statements",
        "urls",
        "dates",
        "open_polls",
        "templates",
    } <= names
    assert all(caches.REGISTRY[n].maxsize > 0 for n in names)


def test_threads_never_see_more_than_the_bound(on, make_cache):
    cache = make_cache(50)
    errors = []

    def work(offset: int):
        try:
            for n in range(2000):
                key = (offset + n) % 120
                cache.get_or_make(key, lambda key=key: key * 2)
                assert cache.size() <= 50
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i * 7,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.hits + cache.misses == 8000
    assert all(cache.get(k, k * 2) == k * 2 for k in range(120))


def test_the_sqlite_half_of_a_two_database_test_runs_without_caches(db_url):
    """tests/conftest.py: what passes on SQLite passes without anything remembered;
    PostgreSQL keeps the process's setting (ORTSVEREIN_CACHES)."""
    from config import caches_from_environment

    if db_url.startswith("sqlite"):
        assert not caches.enabled()
    else:
        assert caches.enabled() == caches_from_environment()
