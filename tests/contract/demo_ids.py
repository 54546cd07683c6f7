"""For the contract run: wait for the server, log in as the demo member, and write a
schemathesis config whose dictionaries hold ids of real objects (half of the
generated ids are drawn from them, so the fuzzer reaches more than 404s). Prints
the token."""

from __future__ import annotations

import sys
import time

import requests

EMAIL, PASSWORD = "mitglied@example.org", "demo-passwort"


def _token(base: str) -> str:
    for _ in range(120):
        try:
            response = requests.post(
                f"{base}/api/v1/auth/token",
                json={"email": EMAIL, "password": PASSWORD, "name": "schemathesis"},
                timeout=10,
            )
            break
        except requests.ConnectionError:
            time.sleep(0.5)
    else:
        sys.exit("the server did not start")
    response.raise_for_status()
    return response.json()["token"]


def _ids(base: str, token: str) -> dict[str, list[int]]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    def items(path: str) -> list[dict]:
        response = session.get(f"{base}/api/v1{path}", timeout=30)
        response.raise_for_status()
        return response.json()["items"]

    forums = [f["id"] for f in items("/forums?per_page=100")]
    threads = [t["id"] for f in forums[:3] for t in items(f"/forums/{f}/threads")]
    posts = [p["id"] for t in threads[:3] for p in items(f"/threads/{t}/posts")]
    polls = [p["id"] for p in items("/polls?per_page=100")]
    meetings = [
        m["id"]
        for when in ("upcoming", "past")
        for m in items(f"/meetings?when={when}")
    ]
    notes = [n["id"] for n in items("/me/notifications")]
    books = [b["id"] for b in items("/motion-books?per_page=100")]
    motions = [m["id"] for b in books[:3] for m in items(f"/motion-books/{b}/motions")]
    me = session.get(f"{base}/api/v1/me", timeout=30).json()["id"]
    return {
        "forum_id": forums,
        "thread_id": threads,
        "post_id": posts,
        "poll_id": polls,
        "meeting_id": meetings,
        "notification_id": notes,
        "book_id": books,
        "motion_id": motions,
        "member_id": [me],
    }


def main() -> None:
    base, config = sys.argv[1], sys.argv[2]
    token = _token(base)
    lines = ["[dictionaries]"]
    bindings = ["[parameters]"]
    for name, ids in _ids(base, token).items():
        if ids:
            lines.append(f"{name} = {{ values = {sorted(set(ids))[:50]} }}")
            bindings.append(
                f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}'
            )
    with open(config, "w", encoding="utf-8") as f:
        f.write("\n".join(lines + [""] + bindings) + "\n")
    print(token)


if __name__ == "__main__":
    main()
