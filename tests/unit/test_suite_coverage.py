"""The suite's coverage figure (tests/conftest.py): the SQLite half of a two-database
test runs with coverage paused, and a module first imported there still has its own
lines (imports, definitions, constants) counted; they run once per process."""

from __future__ import annotations

import sys

import coverage

from tests.conftest import _ImportsMeasured

LAZY = """import os

ANSWER = 42


def later():
    return ANSWER
"""


def test_a_module_first_imported_while_coverage_is_paused_is_counted(
    tmp_path, monkeypatch
):
    package = tmp_path / "ovprobe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "lazy.py").write_text(LAZY)
    (package / "other.py").write_text(LAZY)
    monkeypatch.syspath_prepend(str(tmp_path))
    measuring = coverage.Coverage(source=["ovprobe"], data_file=None)
    try:
        measuring.start()
        import ovprobe  # noqa: F401

        measuring.stop()  # as a SQLite half pauses it
        with _ImportsMeasured(measuring):
            import ovprobe.lazy

            ovprobe.lazy.later()  # a function of it, called while paused
        # The SQLite half over, the hook is gone: imported while coverage is still
        # stopped, a module is not counted.
        import ovprobe.other

        data = measuring.get_data()
        assert sorted(data.lines(str(package / "lazy.py"))) == [1, 3, 6]
        assert not data.lines(str(package / "other.py"))
    finally:
        for name in ("ovprobe", "ovprobe.lazy", "ovprobe.other"):
            sys.modules.pop(name, None)
