"""The operations view: /metrics in Prometheus' text format (prometheus_client).

Each app process counts its own requests, sockets and ballots and serves them on its
own port; Prometheus scrapes every port (ortsverein@8001, @8002, ...) and sums across
them with `sum by (route) (...)`. nginx answers /metrics with 404 itself, and the app
answers it only to the addresses in METRICS_ALLOW (everyone else gets the same 404 as
for any unknown page).

The cron jobs (`tick`, `send-digests`) are short processes of their own: they leave
their figures in INSTANCE_PATH/metrics/*.json, which every app process reads when it
is scraped (the tick's lag is computed then, from the time of its last run).
"""

from __future__ import annotations

import ipaddress
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

# No `_created` series beside every counter: they double the output for nothing.
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "ortsverein_http_requests",
    "HTTP requests answered by this process, by route, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "ortsverein_http_request_duration_seconds",
    "Time from the request's arrival in the app to its response, by route.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
OPEN_SOCKETS = Gauge(
    "ortsverein_open_sockets",
    "Socket.IO connections this process holds now.",
    registry=REGISTRY,
)
BALLOTS_CAST = Counter(
    "ortsverein_ballots_cast",
    "Ballots cast through this process (each one committed).",
    registry=REGISTRY,
)

DEFAULT_ALLOW = "127.0.0.1,::1"
JOB_FILES = ("tick", "digests")


def metrics_folder(instance_path: str) -> Path:
    return Path(instance_path) / "metrics"


def record_job_run(job: str, **figures: float) -> None:
    """Called by a cron command when it has finished: counts the run and keeps its
    figures (written atomically, so a scrape never reads half a file)."""
    folder = metrics_folder(current_app.instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{job}.json"
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        previous = {}
    totals = previous.get("totals", {})
    for name, value in figures.items():
        totals[name] = totals.get(name, 0) + value
    state = {
        "runs": previous.get("runs", 0) + 1,
        "last_run": time.time(),
        "last": figures,
        "totals": totals,
    }
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{job}-")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


class JobCollector(Collector):
    """The cron jobs' figures, read from their files at every scrape."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _state(self, job: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{job}.json").read_text())
        except (OSError, ValueError):
            return None

    def collect(self) -> Iterator:
        now = time.time()
        tick = self._state("tick")
        runs = CounterMetricFamily(
            "ortsverein_tick_runs", "Runs of `ortsverein tick` (the minutely timer)."
        )
        lag = GaugeMetricFamily(
            "ortsverein_tick_lag_seconds",
            "Seconds since `ortsverein tick` last finished (the timer runs it every "
            "minute: well above 60 means polls open and close late). NaN: never ran.",
        )
        runs.add_metric([], tick["runs"] if tick else 0)
        lag.add_metric([], now - tick["last_run"] if tick else float("nan"))
        yield runs
        yield lag
        digests = self._state("digests")
        digest_runs = CounterMetricFamily(
            "ortsverein_digest_runs", "Runs of `ortsverein send-digests`."
        )
        digest_runs.add_metric([], digests["runs"] if digests else 0)
        yield digest_runs
        last = GaugeMetricFamily(
            "ortsverein_digest_last_run_timestamp_seconds",
            "When `ortsverein send-digests` last finished (Unix time; 0: never).",
        )
        last.add_metric([], digests["last_run"] if digests else 0)
        yield last
        mails = CounterMetricFamily(
            "ortsverein_digest_mails",
            "Digest mails over all runs, by outcome.",
            labels=["outcome"],
        )
        totals = digests.get("totals", {}) if digests else {}
        for outcome in ("sent", "failed"):
            mails.add_metric([outcome], totals.get(outcome, 0))
        yield mails


def parse_allow(value: str | Iterable[str] | None) -> list:
    if value is None:
        value = DEFAULT_ALLOW
    items = value.split(",") if isinstance(value, str) else list(value)
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item]


def _allowed(networks: list, address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def may_read_metrics() -> bool:
    """The connecting peer (before ProxyFix) and every address a proxy forwarded for
    must be allowed: through nginx, the internet's client is the one that counts."""
    networks = current_app.extensions["ortsverein_metrics_allow"]
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    peer = original.get("REMOTE_ADDR", request.environ.get("REMOTE_ADDR"))
    forwarded = [
        hop
        for header in request.headers.getlist("X-Forwarded-For")
        for hop in header.split(",")
        if hop.strip()
    ]
    return _allowed(networks, peer) and all(_allowed(networks, h) for h in forwarded)


def route_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def init_app(app: Flask) -> None:
    app.extensions["ortsverein_metrics_allow"] = parse_allow(
        app.config.get("METRICS_ALLOW")
    )
    # One collector per process for the job files (a second app in the same process,
    # as in tests, reads its own instance folder).
    collector = JobCollector(metrics_folder(app.instance_path))
    previous = getattr(REGISTRY, "_ortsverein_jobs", None)
    if previous is not None:
        REGISTRY.unregister(previous)
    REGISTRY.register(collector)
    REGISTRY._ortsverein_jobs = collector  # type: ignore[attr-defined]

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None and request.endpoint != "metrics":
            route = route_label()
            duration = time.perf_counter() - started
            g.request_duration = duration
            REQUESTS.labels(route, request.method, str(response.status_code)).inc()
            LATENCY.labels(route, request.method).observe(duration)
        return response

    def metrics():
        if not may_read_metrics():
            abort(404)
        return Response(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics)


def socket_opened() -> None:
    OPEN_SOCKETS.inc()


def socket_closed() -> None:
    OPEN_SOCKETS.dec()


def ballot_cast() -> None:
    BALLOTS_CAST.inc()
