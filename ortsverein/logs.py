"""Logging: plain text by default, one JSON object per line with
ORTSVEREIN_LOG_FORMAT=json (python-json-logger), for journald, Loki or Elasticsearch.

Every JSON line has `time`, `level`, `logger` and `message`; a request's line
(logger `ortsverein.request`) adds `request_id` (nginx's X-Request-Id, or a new one),
`method`, `path`, `route`, `status` and `duration_ms`. Lines logged while a request is
handled carry its `request_id` too, so one request's lines can be found together.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_LOGGER = "ortsverein.request"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            request_id = g.get("request_id")
            if request_id:
                record.request_id = request_id
        return True


def json_formatter() -> logging.Formatter:
    formatter = JsonFormatter(
        JSON_FIELDS, rename_fields=RENAME, json_ensure_ascii=False
    )
    # ISO 8601 in UTC with milliseconds, e.g. 2026-12-03T07:01:02.345Z
    formatter.converter = time.gmtime
    formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
    formatter.default_msec_format = "%s.%03dZ"
    return formatter


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (not when the handler
    was made): a replaced stderr (a test's capture, a re-opened file) gets it."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def json_handler() -> logging.Handler:
    handler = StderrHandler()
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    return handler


def gunicorn_logconfig() -> dict:
    """gunicorn's own lines (start, worker boot, errors) as JSON too (logconfig_dict);
    its access log is off, as the app writes one line per request itself."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ortsverein.logs.json_formatter"}},
        "filters": {"request_id": {"()": "ortsverein.logs.RequestIdFilter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["stderr"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "WARNING", "propagate": False},
        },
    }


def is_json(app: Flask) -> bool:
    return str(app.config.get("LOG_FORMAT") or "text").lower() == "json"


def init_app(app: Flask) -> None:
    """Before anything logs: with JSON, the JSON handler is the root logger's only
    one (every line is JSON; Flask then adds no handler of its own to app.logger)."""
    if not is_json(app):
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = json_handler()
    handler._ortsverein_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    request_log = logging.getLogger(REQUEST_LOGGER)

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-Id", "")
        ok = 0 < len(incoming) <= 64 and incoming.replace("-", "").isalnum()
        g.request_id = incoming if ok else uuid.uuid4().hex

    @app.after_request
    def _log_request(response: Response) -> Response:
        duration = g.get("request_duration")
        rule = request.url_rule
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": rule.rule if rule is not None else "unmatched",
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2)
                if duration is not None
                else None,
                "remote_addr": request.remote_addr,
            },
        )
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return response
