"""Configuration classes, chosen by ORTSVEREIN_CONFIG, overridden by ORTSVEREIN_*."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Feature packages loaded by create_app(), like Django's installed apps: the core never
# imports them by name, so the import graph only runs one way.
FEATURES = ("discussions", "polls", "meetings", "elections", "motions")

# Every setting that an environment variable can change: name -> (type, description).
# The README's configuration table is checked against this list by a test.
ENVIRONMENT = {
    "SECRET_KEY": (str, "Signs session cookies and links. Required in production."),
    "DATABASE_URL": (
        str,
        "SQLAlchemy URL; default is the SQLite file instance/ortsverein.db.",
    ),
    "REDIS_URL": (str, "Redis for the Socket.IO message queue and rate-limit storage."),
    "INSTANCE_PATH": (str, "Folder for the SQLite file, mail files and uploads."),
    "BALLOT_KEY_DIR": (
        str,
        "Folder of secret polls' private keys (default instance/ballot-keys); "
        "shared by every app process, never in backups.",
    ),
    "BASE_URL": (str, "Public address used in emailed links."),
    "MAIL_SERVER": (
        str,
        "SMTP host; without it mail is written to instance/mail/*.eml.",
    ),
    "MAIL_PORT": (int, "SMTP port."),
    "MAIL_USERNAME": (str, "SMTP user."),
    "MAIL_PASSWORD": (str, "SMTP password."),
    "MAIL_USE_TLS": (bool, "Use STARTTLS for SMTP."),
    "MAIL_SENDER": (str, "From address of outgoing mail."),
    "MAIL_LINK_MAX_AGE": (int, "Seconds a signed link in an email stays valid."),
    "LOGIN_RATE_LIMIT": (
        str,
        "Login, two-factor, reset and token attempts per address and per account.",
    ),
    "INVITATION_DAYS": (int, "Days an activation link stays valid."),
    "RESET_HOURS": (int, "Hours a password-reset link stays valid."),
    "SESSION_DAYS": (int, "Days a login session lasts after its last use."),
    "PROXY_FIX": (int, "Number of trusted reverse proxies in front of the app."),
    "SOCKETIO_ASYNC_MODE": (str, "threading or gevent (production)."),
    "SECURE_COOKIES": (bool, "Send cookies only over HTTPS."),
    "MEETING_LEAVE_GRACE": (
        float,
        "Seconds a member who left the meeting room (to vote, say) stays present.",
    ),
    "LOG_FORMAT": (
        str,
        "text, or json: one JSON object per log line (time, level, logger, message; "
        "requests add request_id, route, status, duration_ms).",
    ),
    "METRICS_ALLOW": (
        str,
        "Addresses or networks (comma-separated) that may read /metrics; "
        "everyone else gets 404.",
    ),
    "CACHES": (
        bool,
        "off runs without the per-process caches: the same pages, only slower.",
    ),
    # Retention (`ortsverein retention`, the README's processing record).
    "RETENTION_CHALLENGE_DAYS": (
        int,
        "Days after a poll closes that who took part (and paper-voter ticks) is kept.",
    ),
    "RETENTION_NOTIFICATION_DAYS": (int, "Days notifications are kept."),
    "RETENTION_MAIL_DAYS": (int, "Days mail files in instance/mail/ are kept."),
    "RETENTION_IMPORT_HOURS": (int, "Hours an import preview file is kept."),
    "RETENTION_TOKEN_DAYS": (int, "Days an unused or revoked API token is kept."),
    "RETENTION_ATTENDANCE_DAYS": (int, "Days meeting attendance records are kept."),
    "RETENTION_AUDIT_YEARS": (
        int,
        "Years after which audit entries no longer name members (pseudonymised).",
    ),
    "EXPORT_DAYS": (int, "Days a member's data export can be downloaded."),
}


def _read(name: str, kind: type, default):
    raw = os.environ.get(f"ORTSVEREIN_{name}")
    if raw is None:
        return default
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


class Base:
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (refused in production)
    DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'ortsverein.db'}"
    INSTANCE_PATH = str(ROOT / "instance")
    REDIS_URL: str | None = None
    BALLOT_KEY_DIR: str | None = None  # None: INSTANCE_PATH/ballot-keys
    BASE_URL = "http://127.0.0.1:5000"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "Ortsverein <noreply@ortsverein.invalid>"
    MAIL_LINK_MAX_AGE = 60 * 24 * 3600  # signed links in emails: 60 days
    LOGIN_RATE_LIMIT = "10 per minute"
    INVITATION_DAYS = 14
    RESET_HOURS = 2
    SESSION_DAYS = 14
    PROXY_FIX = 0
    SOCKETIO_ASYNC_MODE = "threading"
    SECURE_COOKIES = True
    MEETING_LEAVE_GRACE = 120.0
    LOG_FORMAT = "text"
    METRICS_ALLOW = "127.0.0.1,::1"
    CACHES = True  # read once per process: ortsverein/caches.py
    # What `ortsverein retention` keeps and for how long (README: processing record).
    RETENTION_CHALLENGE_DAYS = 30  # the usual period to challenge a party vote
    RETENTION_NOTIFICATION_DAYS = 180
    RETENTION_MAIL_DAYS = 14
    RETENTION_IMPORT_HOURS = 24
    RETENTION_TOKEN_DAYS = 365
    RETENTION_ATTENDANCE_DAYS = 730  # two years: the minutes' term of record
    RETENTION_AUDIT_YEARS = 10  # the usual statute period for a party's records
    EXPORT_DAYS = 7
    FEATURES = FEATURES

    # Fixed settings (not from the environment).
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")
    WTF_CSRF_TIME_LIMIT = (
        None  # tied to the session instead; long forms must not expire
    )
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2
    MEMBERS_PER_PAGE = 50
    AUDIT_PER_PAGE = 50
    TESTING = False
    DEMO_ALLOWED = True

    @classmethod
    def load(cls) -> dict:
        """This class's settings with ORTSVEREIN_* environment overrides applied."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        for name, (kind, _doc) in ENVIRONMENT.items():
            values[name] = _read(name, kind, values.get(name))
        session_days = timedelta(days=values["SESSION_DAYS"])
        values.update(
            PERMANENT_SESSION_LIFETIME=session_days,
            SESSION_COOKIE_SECURE=values["SECURE_COOKIES"],
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_SECURE=values["SECURE_COOKIES"],
            REMEMBER_COOKIE_HTTPONLY=True,
            REMEMBER_COOKIE_SAMESITE="Lax",
            SQLALCHEMY_DATABASE_URI=values["DATABASE_URL"],
        )
        return values


class Development(Base):
    SECURE_COOKIES = False  # the embedded default serves plain http on loopback


class Testing(Base):
    TESTING = True
    MAIL_SYNC = True
    READ_MARKS_SYNC = True  # page flows see their read marks at once
    SECRET_KEY = "testing-secret"  # noqa: S105  (tests only)
    SECURE_COOKIES = False
    RATELIMIT_ENABLED = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    WTF_CSRF_ENABLED = True
    MEETING_LEAVE_GRACE = 1.0  # short, so tests see the end of presence quickly


class Production(Base):
    SECRET_KEY = ""
    DEMO_ALLOWED = False
    # One greenlet per socket instead of a thread: an emit to many members does not
    # switch between hundreds of threads (docs/performance.md, bench/meeting.py).
    SOCKETIO_ASYNC_MODE = "gevent"

    @classmethod
    def load(cls) -> dict:
        values = super().load()
        if not values["SECRET_KEY"] or values["SECRET_KEY"] == Base.SECRET_KEY:
            raise RuntimeError(
                "ORTSVEREIN_SECRET_KEY must be set to a long random value in production"
            )
        if len(values["SECRET_KEY"]) < 32:
            raise RuntimeError("ORTSVEREIN_SECRET_KEY must be at least 32 characters")
        if values["BASE_URL"] == Base.BASE_URL:
            raise RuntimeError(
                "ORTSVEREIN_BASE_URL must be the public address (it goes into every "
                "invitation and reset link)"
            )
        return values


CONFIGS = {"development": Development, "testing": Testing, "production": Production}


def async_mode_from_environment() -> str:
    """The Socket.IO async mode the environment chooses, read before anything else is
    imported: gevent has to patch the standard library first."""
    chosen = CONFIGS.get(os.environ.get("ORTSVEREIN_CONFIG", "development"), Base)
    return _read("SOCKETIO_ASYNC_MODE", str, chosen.SOCKETIO_ASYNC_MODE)


def caches_from_environment() -> bool:
    """Whether the per-process caches are on: one switch for the whole process,
    read when ortsverein/caches.py is first imported."""
    chosen = CONFIGS.get(os.environ.get("ORTSVEREIN_CONFIG", "development"), Base)
    return _read("CACHES", bool, chosen.CACHES)


def get_config(name: str | None = None) -> dict:
    """Settings of the named configuration (default: ORTSVEREIN_CONFIG, development)."""
    name = name or os.environ.get("ORTSVEREIN_CONFIG", "development")
    try:
        return CONFIGS[name].load()
    except KeyError:
        raise RuntimeError(f"unknown ORTSVEREIN_CONFIG {name!r}") from None
