"""The operations view: /metrics for allowed addresses only, what it counts, JSON
logs, and /healthz's checks of the ballot key folder. (tests/production/ checks the
same through nginx and the app processes of deploy/.)"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil

import pytest

from tests.conftest import build_app


def metric(text: str, name: str, **labels) -> float:
    """The value of one series in Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and found == {
            k: str(v) for k, v in labels.items()
        }:
            return float(value)
    return 0.0


def test_metrics_only_for_allowed_addresses(client):
    assert client.get("/metrics").status_code == 200  # 127.0.0.1
    elsewhere = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=elsewhere).status_code == 404
    # Through a proxy on this host for someone outside: refused as well.
    forwarded = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 404


def test_metrics_allow_setting_takes_networks(db_url, tmp_path):
    app = build_app(db_url, tmp_path, METRICS_ALLOW="10.0.0.0/8, ::1")
    client = app.test_client()
    assert (
        client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code
        == 200
    )
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not listed
    app.extensions["ortsverein_db"][0].dispose()


def test_metrics_count_requests_by_route_and_status(client):
    route = {"route": "/healthz", "method": "GET", "status": "200"}
    before = metric(
        client.get("/metrics").text, "ortsverein_http_requests_total", **route
    )
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page")
    page = client.get("/metrics").text
    assert metric(page, "ortsverein_http_requests_total", **route) == before + 3
    assert (
        metric(
            page,
            "ortsverein_http_requests_total",
            route="unmatched",
            method="GET",
            status="404",
        )
        >= 1
    )
    assert (
        metric(
            page,
            "ortsverein_http_request_duration_seconds_count",
            route="/healthz",
            method="GET",
        )
        >= 3
    )


def test_metrics_show_the_tick_and_digest_runs(app, client):
    page = client.get("/metrics").text
    assert metric(page, "ortsverein_tick_runs_total") == 0
    assert "ortsverein_tick_lag_seconds NaN" in page  # never ran
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tick"]).exit_code == 0
    assert runner.invoke(args=["send-digests"]).exit_code == 0
    page = client.get("/metrics").text
    assert metric(page, "ortsverein_tick_runs_total") == 1
    assert 0 <= metric(page, "ortsverein_tick_lag_seconds") < 60
    assert metric(page, "ortsverein_digest_runs_total") == 1
    assert metric(page, "ortsverein_digest_last_run_timestamp_seconds") > 0


def test_healthz_checks_the_ballot_key_folder(app, client):
    folder = app.config["BALLOT_KEY_DIR"]
    assert client.get("/healthz").get_json()["ballot_keys"] == "ok"
    os.chmod(folder, 0o755)  # noqa: S103  (the mistake the check is for)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["ballot_keys"] == "wrong_mode"
    assert response.get_json()["status"] == "error"
    shutil.rmtree(folder)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["ballot_keys"] == "missing"


@pytest.fixture
def json_app(db_url, tmp_path, capsys):
    root = logging.getLogger()
    before = list(root.handlers)
    application = build_app(db_url, tmp_path, LOG_FORMAT="json")
    yield application
    application.extensions["ortsverein_db"][0].dispose()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before:
        root.addHandler(handler)


def test_json_logs_one_object_per_line(json_app, capsys):
    client = json_app.test_client()
    client.get("/healthz", headers={"X-Request-Id": "req-42"})
    json_app.logger.warning("something to see")
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    request = next(r for r in records if r["logger"] == "ortsverein.request")
    assert request["request_id"] == "req-42"
    assert request["route"] == "/healthz" and request["status"] == 200
    assert request["method"] == "GET" and request["duration_ms"] >= 0
    assert {"time", "level", "logger", "message"} <= request.keys()
    warning = next(r for r in records if r["message"] == "something to see")
    assert warning["level"] == "WARNING" and warning["logger"] == "ortsverein"
