"""gunicorn settings of `ortsverein serve` (ortsverein/cli.py), shared with the
benchmarks' baseline servers so that both run the same way.

Fair turns under gevent (production's async mode). gunicorn's gevent worker serves
each connection in one greenlet, in a loop: read a request, answer it, read the next.
A thread page is rendered without waiting on I/O (SQLite, templates), so the greenlet
gives the CPU back only when a read finds no data. A keep-alive client that sends its
next request the moment the answer arrives (a browser, wrk, nginx's upstream
keep-alive) usually has it waiting by then, and the greenlet goes on and on: measured
under wrk at 64 connections, a connection got 12 turns in a row on average and up to
89, so most requests took milliseconds and some waited 8 s.

`yield_between_requests`, gunicorn's `post_request` hook, ends that: after every
answer the greenlet sleeps for a microsecond, which in gevent means "until the next
turn of the event loop" (gevent.sleep's documentation). Each turn the loop polls for
I/O and then runs every greenlet that is ready, once: connections whose next request
is waiting, new connections, sockets of Socket.IO clients. So every request waits its
turn, a keep-alive one as much as any other. `gevent.sleep(0)` is not enough: it
runs the greenlet again before the loop polls for I/O, in groups of up to 50, so a
request on a new connection waited behind 50 others while a keep-alive one waited
behind those of the other keep-alive connections. The yield costs a few microseconds
of CPU per request.
"""

from __future__ import annotations

from typing import Any

from .greenlets import gevent_patched

NEXT_TURN = 1e-6  # seconds: any positive sleep waits for the loop's next turn


def yield_between_requests(worker, req, environ, resp) -> None:
    """gunicorn's post_request hook: the connection's greenlet waits for the event
    loop's next turn before it reads its next request (gevent worker only)."""
    if not gevent_patched():  # a threaded worker: the OS schedules the threads
        return
    import gevent

    gevent.sleep(NEXT_TURN)


# gunicorn started by hand reads its hooks from here, as the README shows:
# gunicorn -c python:ortsverein.serving --worker-class gevent … wsgi:app
post_request = yield_between_requests


def worker_settings(
    gevent: bool, *, threads: int, connections: int, fair: bool = True
) -> dict[str, Any]:
    """gunicorn settings of the one worker: the gevent worker with fair turns (unless
    `fair` is off, for measuring the difference), or the threaded one."""
    if not gevent:
        return {
            "worker_class": "gthread",
            "threads": threads,
            "worker_connections": connections,
        }
    settings: dict[str, Any] = {
        # One greenlet per connection (the package patched the standard library
        # when it was imported); `threads` does not apply. Work that holds the loop
        # (sealing a national vote on first access) must not get the worker killed
        # as hung after gunicorn's 30 s.
        "worker_class": "gevent",
        "timeout": 120,
        "worker_connections": connections,
    }
    if fair:
        settings["post_request"] = yield_between_requests
    return settings
