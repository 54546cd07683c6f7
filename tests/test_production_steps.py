"""The README's production steps, run verbatim from the README's own text on a new
PostgreSQL database with no demo data: configure, migrate, import the tree, create the
admin, import the members, serve with the README's gunicorn line; then the admin logs
in and invites a member, who activates the account and votes.

Only what belongs to this machine is replaced: the database URL (the fixtures'
PostgreSQL), the Redis URL (the fixtures' Redis), the port in `--bind`, the instance
folder, and no SMTP server (mail goes to files, which the test reads)."""

from __future__ import annotations

import email
import os
import re
import shlex
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from ortsverein.db import make_engine
from tests.conftest import CSRF_RE, ROOT
from tests.servers import free_port, wait_for_port

requests = pytest.importorskip("requests")

BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "ein-langes-admin-passwort"
MEMBER_PASSWORD = "ein-langes-mitglieder-passwort"


def production_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Running in production")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def code_blocks(section: str, language: str) -> list[tuple[int, str]]:
    return [
        (m.start(), m.group(1))
        for m in re.finditer(rf"```{language}\n(.*?)```", section, re.DOTALL)
    ]


def readme_files(section: str) -> dict[str, str]:
    """Each CSV block under the last `name.csv` the text names before it."""
    files = {}
    for start, body in code_blocks(section, "csv"):
        name = re.findall(r"`([\w-]+\.csv)`", section[:start])[-1]
        files[name] = body
    return files


def readme_shell(section: str) -> tuple[list[str], list[str], list[str]]:
    """The export lines, the `ortsverein` commands and the gunicorn command."""
    exports, commands, server = [], [], []
    for _, body in code_blocks(section, "sh"):
        lines = body.replace("\\\n", " ").splitlines()
        for line in lines:
            line = line.strip()
            if line.startswith("export "):
                exports.append(line)
            elif line.startswith("ortsverein "):
                commands.append(line)
            elif line.startswith("gunicorn "):
                server = shlex.split(line)
    return exports, commands, server


def environment(exports: list[str], **replaced: str | None) -> dict[str, str]:
    """Run the README's export lines in bash and take the environment they made."""
    result = subprocess.run(
        ["bash", "-c", "\n".join([*exports, "env -0"])],
        capture_output=True,
        check=True,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
    )
    env = dict(
        item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item
    )
    for name, value in replaced.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


class Browser:
    """A client that keeps its cookies itself: the production cookies are Secure, and
    this test speaks plain HTTP to the process as nginx does (X-Forwarded-Proto)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs):
        headers = {"X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        response = requests.request(
            method,
            self.base + path,
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value or ""
        return response

    def csrf(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status_code == 200, (path, page.status_code, page.text[:300])
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict, form_page: str | None = None):
        token = self.csrf(form_page or path)
        # Over HTTPS Flask-WTF wants a Referer of the same host, as a browser sends.
        referer = self.base.replace("http://", "https://") + (form_page or path)
        return self.request(
            "POST",
            path,
            data={"csrf_token": token, **data},
            headers={"Referer": referer},
        )


@pytest.fixture
def fresh_postgres(postgres_server):
    name = f"prod_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield postgres_server.url(name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_readme_production_steps_from_nothing(fresh_postgres, redis_url, tmp_path):
    section = production_section()
    exports, commands, server = readme_shell(section)
    files = readme_files(section)
    # the steps the README promises, in this order
    assert [c.split()[1] for c in commands] == [
        "db",
        "import-orgs",
        "create-admin",
        "import-members",
    ], commands
    assert server and server[0] == "gunicorn", server
    instance = tmp_path / "instance"
    env = environment(
        exports,
        ORTSVEREIN_DATABASE_URL=fresh_postgres,
        ORTSVEREIN_REDIS_URL=redis_url,
        ORTSVEREIN_MAIL_SERVER=None,
        ORTSVEREIN_INSTANCE_PATH=str(instance),
    )
    assert env["ORTSVEREIN_CONFIG"] == "production"
    assert len(env["ORTSVEREIN_SECRET_KEY"]) >= 32
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    work = tmp_path / "work"
    work.mkdir()
    for name, content in files.items():
        (work / name).write_text(content, encoding="utf-8")

    for command in commands:
        stdin = (
            f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n" if "create-admin" in command else ""
        )
        ran = subprocess.run(
            shlex.split(command),
            cwd=work,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert ran.returncode == 0, (command, ran.stdout, ran.stderr)

    port = free_port()
    argv = list(server)
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    argv[0] = str(BIN / "gunicorn")
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for_port(port, timeout=60)
        base = f"http://127.0.0.1:{port}"
        admin_email = next(c for c in commands if "create-admin" in c).split()[2]

        # the admin logs in and invites Erika from the imported list
        admin = Browser(base)
        login = admin.post_form(
            "/login", {"email": admin_email, "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 302, login.text[:500]
        listing = admin.request("GET", "/members/?q=erika")
        member_id = re.search(r'href="/members/(\d+)"', listing.text).group(1)
        invited = admin.post_form(
            f"/members/{member_id}/invite", {}, form_page=f"/members/{member_id}"
        )
        assert invited.status_code == 302, invited.text[:500]

        # she follows the emailed link and sets her password
        mails = sorted(
            (instance / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime
        )
        message = email.message_from_bytes(mails[-1].read_bytes())
        assert message["To"] == "erika@example.org"
        body = message.get_payload(decode=True).decode()
        link = re.search(r"https://ov\.example\.org(/activate/[\w-]+)", body).group(1)
        erika = Browser(base)
        activated = erika.post_form(
            link, {"password": MEMBER_PASSWORD, "confirm": MEMBER_PASSWORD}
        )
        assert activated.status_code == 302, activated.text[:500]

        # the admin opens a secret poll for OV Nord, and she votes in it
        def token(who: str, password: str) -> dict:
            answer = admin.request(
                "POST", "/api/v1/auth/token", json={"email": who, "password": password}
            )
            assert answer.status_code == 201, answer.text
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        admin_api = token(admin_email, ADMIN_PASSWORD)
        orgs = admin.request("GET", "/api/v1/orgs", headers=admin_api).json()["items"]
        nord = next(o for o in orgs if o["slug"] == "ov-nord")
        now = datetime.now(UTC)
        made = admin.request(
            "POST",
            "/api/v1/polls",
            headers=admin_api,
            json={
                "org_id": nord["id"],
                "title": "Lastenrad anschaffen?",
                "body": "Der Vorstand schlägt es vor.",
                "kind": "yes_no_abstain",
                "secret": True,
                "opens_at": (now - timedelta(minutes=1)).isoformat(),
                "closes_at": (now + timedelta(hours=1)).isoformat(),
            },
        )
        assert made.status_code == 201, made.text
        poll = made.json()
        erika_api = token("erika@example.org", MEMBER_PASSWORD)
        seen = erika.request("GET", f"/api/v1/polls/{poll['id']}", headers=erika_api)
        assert seen.json()["status"] == "open", seen.text
        cast = erika.request(
            "POST",
            f"/api/v1/polls/{poll['id']}/ballots",
            headers=erika_api,
            json={"choices": [seen.json()["options"][0]["id"]]},
        )
        assert cast.status_code == 201 and cast.json()["receipt"], cast.text
        again = erika.request("GET", f"/api/v1/polls/{poll['id']}", headers=erika_api)
        assert again.json()["voted"] is True
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert "Traceback" not in (tmp_path / "server.log").read_text(), (
        tmp_path / "server.log"
    ).read_text()[-3000:]
