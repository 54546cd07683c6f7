"""Long work under gevent, production's Socket.IO async mode: one greenlet that
computes without waiting on I/O holds up every open socket of the process (and a
worker silent for 30 s is killed by gunicorn). Under threads these are plain calls."""

from __future__ import annotations

import sys


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
