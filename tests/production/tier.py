"""The production tier exactly as deploy/ describes it, on 127.0.0.1 in a temp folder:
Debian's nginx running deploy/nginx/ortsverein.conf, page processes started from
deploy/systemd/ortsverein@.service and live processes from ortsverein-live@.service
(their ExecStart, EnvironmentFile, Restart=always and Nice=) with
deploy/ortsverein.env.example, and a PostgreSQL and a Redis of their own.

Only what cannot be the same on a test machine is swapped, and every swap is checked
to have happened (a changed deploy file fails here instead of being tested half):
ports, paths, the TLS certificate (a self-signed one), secrets, and no SMTP server.
bench/production.py uses the same class.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.servers import (
    PostgresServer,
    RedisServer,
    free_port,
    lower_priority,
    unavailable,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "ortsverein.conf"
UNIT = DEPLOY / "systemd" / "ortsverein@.service"  # the page processes
LIVE_UNIT = DEPLOY / "systemd" / "ortsverein-live@.service"  # sockets and writes
TICK_UNIT = DEPLOY / "systemd" / "ortsverein-tick.service"
DIGEST_UNIT = DEPLOY / "systemd" / "ortsverein-digests.service"
ENV_EXAMPLE = DEPLOY / "ortsverein.env.example"
VENV_PREFIX = "/srv/ortsverein/venv/bin/"
BIN = Path(sys.executable).parent


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def parse_env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile: KEY=VALUE per line, # comments, optional quotes."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_command(unit: Path, instance: str = "") -> list[str]:
    """The unit's ExecStart, with %i and the virtualenv of this checkout."""
    (exec_start,) = parse_unit(unit)["Service"]["ExecStart"]
    words = shlex.split(exec_start.replace("%i", instance))
    assert words[0].startswith(VENV_PREFIX), words[0]
    words[0] = str(BIN / words[0][len(VENV_PREFIX) :])
    return words


def substitute(text: str, pattern: str, replacement: str, count: int) -> str:
    """re.sub that insists on `count` matches: the deploy file has the shape the
    tier expects."""
    result, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if n != count:
        raise AssertionError(
            f"deploy/nginx/ortsverein.conf: {pattern!r} matched {n} times, not {count}"
        )
    return result


def with_servers(site: str, upstream: str, ports: list[int]) -> str:
    """The site with the `server` lines of `upstream` replaced by one per port
    (their options kept, the first line's)."""
    block = re.search(rf"^upstream {upstream} \{{\n(.*?)^\}}", site, re.M | re.S)
    assert block, f"no upstream {upstream} in the site"
    body = block.group(1)
    server_lines = re.findall(r"^(\s*)server 127\.0\.0\.1:\d+( .*)?;$", body, re.M)
    assert server_lines, f"no server lines in upstream {upstream}"
    indent, options = server_lines[0]
    servers = "\n".join(f"{indent}server 127.0.0.1:{p}{options};" for p in ports)
    body = substitute(body, r"^\s*server 127\.0\.0\.1:\d+.*;\n", "", len(server_lines))
    body = substitute(body, r"^(\s*ip_hash;)$", r"\1\n" + servers, 1)
    return site[: block.start(1)] + body + site[block.end(1) :]


def render_site(
    page_ports: list[int],
    live_ports: list[int],
    http_port: int,
    https_port: int,
    tmp: Path,
) -> str:
    site = with_servers(SITE.read_text(), "ortsverein", page_ports)
    site = with_servers(site, "ortsverein_live", live_ports)
    site = substitute(site, r"^\s*listen \[::\]:\d+.*;\n", "", 2)
    site = substitute(site, r"listen 80;", f"listen 127.0.0.1:{http_port};", 1)
    site = substitute(
        site, r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1
    )
    site = substitute(
        site, r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(tmp / "cert.pem"), 1
    )
    site = substitute(
        site, r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(tmp / "key.pem"), 1
    )
    site = substitute(site, r"/var/log/nginx/", str(tmp) + "/", 2)
    # Beside the site's own access log, the tier's (NGINX_MAIN), which also names
    # the app process that answered.
    site = substitute(
        site,
        r"^(\s*)(access_log \S+\.log;)$",
        rf"\1\2\n\1access_log {tmp}/nginx-access.log tier;",
        1,
    )
    site = substitute(site, r"/srv/ortsverein/app/", str(ROOT) + "/", 1)
    return site


def self_signed(tmp: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


NGINX_MAIN = """\
daemon off;
master_process on;
worker_processes {workers};
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    log_format tier '$msec $remote_addr "$request" $status $upstream_addr '
                    '$upstream_status $request_time';
    access_log {tmp}/nginx-access.log tier;
    include {tmp}/site.conf;
}}
"""


@dataclass
class AppProcess:
    port: int
    log: Path
    unit: Path = UNIT  # UNIT: a page process; LIVE_UNIT: a live one
    proc: subprocess.Popen | None = None
    restarts: int = 0
    exits: list[float] = field(default_factory=list)


class ProductionTier:
    """Start with start(); everything ends with stop(). `url` is nginx's https."""

    def __init__(self, pages: int = 2, live: int = 2, seed: bool = True) -> None:
        self.nginx = nginx_binary()
        if self.nginx is None:
            unavailable(
                "production tier skipped: nginx not found (apt-get install nginx)"
            )
        self.counts = {UNIT: pages, LIVE_UNIT: live}
        self.seed = seed
        self.tmp = Path(tempfile.mkdtemp(prefix="ortsverein-tier-"))
        self.postgres = PostgresServer()
        self.redis = RedisServer()
        self.apps: list[AppProcess] = []
        self.nginx_proc: subprocess.Popen | None = None
        self.stopping = False
        self.service = parse_unit(UNIT)["Service"]
        self.live_service = parse_unit(LIVE_UNIT)["Service"]
        # The two units run the same program the same way; only the priority and
        # the runtime folder's name differ.
        for key in ("ExecStart", "EnvironmentFile", "Restart", "RestartSec"):
            assert self.service[key] == self.live_service[key], key
        self.http_port = free_port()
        self.https_port = free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.ca = str(self.tmp / "cert.pem")  # clients trust the self-signed one
        # One key for every process, as they all read one EnvironmentFile: with a
        # key per process a session cookie (and a signed link) made by one process
        # is refused by the other, so a member whom nginx moves to the other
        # process (a killed one, a reloaded upstream list) is logged out.
        self.secret_key = secrets.token_urlsafe(48)

    # --- environment -------------------------------------------------------------

    def environment(self, instance: str = "", unit: Path = UNIT) -> dict[str, str]:
        env = parse_env_file(ENV_EXAMPLE)
        assert env["ORTSVEREIN_CONFIG"] == "production"
        env.update(
            ORTSVEREIN_SECRET_KEY=self.secret_key,
            ORTSVEREIN_DATABASE_URL=self.postgres.url("ortsverein"),
            ORTSVEREIN_REDIS_URL=self.redis.url,
            ORTSVEREIN_BASE_URL=self.url,
            ORTSVEREIN_INSTANCE_PATH=str(self.tmp / "instance"),
            ORTSVEREIN_BALLOT_KEY_DIR=str(self.tmp / "ballot-keys"),
        )
        for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD"):
            env.pop(f"ORTSVEREIN_{name}")  # no SMTP here: mail goes to files
        service = self.service_of(unit)
        for line in service.get("Environment", []):
            for item in shlex.split(line.replace("%i", instance)):
                key, _, value = item.partition("=")
                env[key] = value.replace("/run/", f"{self.tmp}/run/")
        for folder in service.get("RuntimeDirectory", []):  # systemd makes it
            path = self.tmp / "run" / folder.replace("%i", instance)
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # As systemd: a clean environment, not the test runner's ORTSVEREIN_*.
        base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        return {**base, **env}

    def run_command(self, words: list[str], **env_overrides: str) -> str:
        env = {**self.environment(), **env_overrides}
        done = subprocess.run(
            words, env=env, cwd=self.tmp, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"{words} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run_unit(self, unit: Path) -> str:
        """A oneshot unit (tick, digests) as its timer would start it."""
        return self.run_command(unit_command(unit))

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> ProductionTier:
        self.postgres.start()
        self.redis.start()
        admin = self.postgres.url()
        import sqlalchemy

        engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("CREATE DATABASE ortsverein"))
        engine.dispose()
        ortsverein = str(BIN / "ortsverein")
        self.run_command([ortsverein, "db", "upgrade"])
        if self.seed:
            # Production refuses demo data: the demo branch is loaded with the
            # development configuration into the same database and key folder.
            self.run_command([ortsverein, "seed-demo"], ORTSVEREIN_CONFIG="development")
        for unit, count in self.counts.items():
            for _ in range(count):
                port = free_port()
                self.apps.append(AppProcess(port, self.tmp / f"app-{port}.log", unit))
        for app in self.apps:
            self._spawn(app)
            threading.Thread(target=self._supervise, args=(app,), daemon=True).start()
        for app in self.apps:
            self.wait_healthy(app)
        self._start_nginx()
        self.run_unit(TICK_UNIT)  # as its timer would within the minute
        return self

    def service_of(self, unit: Path) -> dict[str, list[str]]:
        """The [Service] section of UNIT or LIVE_UNIT."""
        return self.service if unit == UNIT else self.live_service

    @property
    def pages(self) -> list[AppProcess]:
        return [a for a in self.apps if a.unit == UNIT]

    @property
    def live(self) -> list[AppProcess]:
        return [a for a in self.apps if a.unit == LIVE_UNIT]

    def _spawn(self, app: AppProcess) -> None:
        log = app.log.open("ab")
        nice = int(self.service_of(app.unit).get("Nice", ["0"])[0])
        app.proc = subprocess.Popen(
            unit_command(app.unit, str(app.port)),
            env=self.environment(str(app.port), app.unit),
            cwd=self.tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Nice= as systemd applies it (CPUWeight= needs systemd's cgroups).
            preexec_fn=(lambda: lower_priority(nice)) if nice else None,  # noqa: PLW1509
        )
        log.close()

    def _supervise(self, app: AppProcess) -> None:
        """Restart=always, RestartSec= as in the unit."""
        assert self.service["Restart"] == ["always"]
        delay = float(self.service.get("RestartSec", ["0.1"])[0])
        while not self.stopping:
            proc = app.proc
            assert proc is not None
            proc.wait()
            if self.stopping:
                return
            app.exits.append(time.time())
            time.sleep(delay)
            if self.stopping:
                return
            app.restarts += 1
            self._spawn(app)

    def wait_healthy(self, app: AppProcess, timeout: float = 90.0) -> float:
        """Seconds until the process answers /healthz with 200."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            try:
                r = requests.get(f"http://127.0.0.1:{app.port}/healthz", timeout=5)
                if r.status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise TimeoutError(
            f"app on {app.port} not healthy after {timeout}s:\n"
            + app.log.read_text()[-3000:]
        )

    def _start_nginx(self) -> None:
        self_signed(self.tmp)
        (self.tmp / "site.conf").write_text(
            render_site(
                [a.port for a in self.pages],
                [a.port for a in self.live],
                self.http_port,
                self.https_port,
                self.tmp,
            )
        )
        (self.tmp / "nginx.conf").write_text(
            NGINX_MAIN.format(
                tmp=self.tmp,
                workers=1,
                user="user root;" if os.geteuid() == 0 else "",
            )
        )
        assert self.nginx is not None
        self.nginx_proc = subprocess.Popen(
            [
                self.nginx,
                "-p",
                str(self.tmp),
                "-c",
                str(self.tmp / "nginx.conf"),
                "-e",
                str(self.tmp / "nginx-error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "nginx-stderr.log").open("wb"),
        )
        wait_for_port(self.https_port)

    def kill_app(self, index: int) -> AppProcess:
        """SIGKILL, as the OOM killer or a crash would; the supervisor restarts it."""
        app = self.apps[index]
        assert app.proc is not None
        os.killpg(app.proc.pid, signal.SIGKILL)
        return app

    def restart_redis(self, down: float = 1.0) -> None:
        assert self.redis.proc is not None
        self.redis.proc.terminate()
        self.redis.proc.wait(10)
        time.sleep(down)
        self.redis.start()  # the same port

    def restart_postgres(self) -> None:
        """pg_ctl restart -m fast: every session is ended, then the server is back."""
        self.postgres._run(
            str(self.postgres.bindir / "pg_ctl"),
            "-D",
            str(self.postgres.data),
            "-m",
            "fast",
            "-w",
            "-l",  # the new server writes there, not into our pipe
            str(self.postgres.root / "log"),
            "restart",
        )

    def app_cpu_seconds(self) -> float:
        """User plus system CPU of every app process (gunicorn's arbiter and worker)
        from /proc, for CPU per request."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for app in self.apps:
            assert app.proc is not None
            for pid in [app.proc.pid, *_children(app.proc.pid)]:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1]
                except OSError:
                    continue
                parts = fields.split()
                total += (int(parts[11]) + int(parts[12])) / tick
        return total

    def stop(self) -> None:
        self.stopping = True
        if self.nginx_proc is not None:
            self.nginx_proc.terminate()
            try:
                self.nginx_proc.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx_proc.kill()
        for app in self.apps:
            if app.proc is not None and app.proc.poll() is None:
                try:
                    os.killpg(app.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for app in self.apps:
            if app.proc is None:
                continue
            try:
                app.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(app.proc.pid, signal.SIGKILL)
                app.proc.wait(5)
        self.redis.stop()
        self.postgres.stop()
        if not os.environ.get("ORTSVEREIN_KEEP_TIER"):
            shutil.rmtree(self.tmp, ignore_errors=True)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(c) for c in text.split()]
    return kids + [g for k in kids for g in _children(k)]
