"""Every interface string goes through Babel and has an English translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_is_translated_to_english(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            "ortsverein/translations/babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "ortsverein",
            "discussions",
            "polls",
            "elections",
            "templates",
            "templates/_macros",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "ortsverein/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id}

    def translated(msgid) -> bool:
        string = english.get(msgid)
        return all(string) if isinstance(string, tuple | list) else bool(string)

    untranslated = sorted(str(m) for m in wanted if not translated(m))
    assert len(wanted) > 150  # the extraction really found the interface
    assert untranslated == [], "run `make extract-messages` and translate these"
