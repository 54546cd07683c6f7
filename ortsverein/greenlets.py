"""Long work under gevent, production's Socket.IO async mode: one greenlet that
computes without waiting on I/O holds up every open socket of the process (and a
worker silent for 30 s is killed by gunicorn). Under threads these are plain calls."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


def gevent_patched() -> bool:
    """Whether gevent runs this process (production's Socket.IO async mode)."""
    monkey = sys.modules.get("gevent.monkey")  # imported only where gevent is used
    return bool(monkey and monkey.is_module_patched("threading"))


def in_thread(function, *args):
    """Call `function` on a real thread of gevent's pool when gevent runs the
    process, so other greenlets go on meanwhile; for work that releases the GIL,
    such as argon2 hashing. Otherwise (threads) call it here."""
    if not gevent_patched():
        return function(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)


def pause(count: int, every: int = 1000) -> None:
    """In a long loop, let other greenlets run every `every` steps."""
    if count % every == 0 and gevent_patched():
        import gevent

        gevent.sleep(0)


def map_in_threads(
    function: Callable[[T], R], chunks: list[T], workers: int
) -> list[R]:
    """`function` over the chunks on up to `workers` real threads, results in order:
    for work that releases the GIL (libsodium through cffi), so that it uses more
    than one core. Under gevent the threads are those of gevent's pool, and other
    greenlets go on meanwhile."""
    if len(chunks) <= 1 or workers <= 1:
        return [function(chunk) for chunk in chunks]
    if gevent_patched():
        import gevent

        pool = gevent.get_hub().threadpool
        pending = [pool.spawn(function, chunk) for chunk in chunks]
        # AsyncResult.get() is typed optional; a finished job returns its value
        return [cast(R, result.get()) for result in pending]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(function, chunks))
