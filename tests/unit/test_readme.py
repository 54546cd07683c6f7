"""The README documents every setting and keeps the two sacred commands."""

from __future__ import annotations

from pathlib import Path

from config import ENVIRONMENT

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_in_the_configuration_table():
    missing = [n for n in ENVIRONMENT if f"| `ORTSVEREIN_{n}` |" not in README]
    assert missing == []


def test_the_two_commands_are_documented():
    assert "make run" in README and "make test" in README
