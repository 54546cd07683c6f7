# The two commands of the README: `make run` and `make test`. Both set up everything
# they need on a fresh machine (a virtualenv in .venv with the package installed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test contract install translations extract-messages lint bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# The compiled catalogues, made again only when their source (or the virtualenv)
# changed: a second make writes nothing, so `make test` and `make contract` can run
# side by side (.ci/run) without one rewriting a catalogue the other's server reads.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard ortsverein/translations/*/LC_MESSAGES/messages.po))
translations: $(CATALOGUES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ 2>&1 | grep -v '^compiling' || true

run: install
	$(BIN)/ortsverein db upgrade
	$(BIN)/ortsverein seed-demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(BIN)/ortsverein serve

# One worker more than there are cores (pytest-xdist): with one per core, a quarter
# of the CPU stood idle while tests waited on their servers, subprocesses and
# sockets (docs/performance.md, "The suite's own time"). A worker that runs out
# takes tests from another (a few take a minute each). The coverage of the packages
# is printed at the end; PYTEST_ARGS adds to or overrides these (-n 0: one process).
WORKERS ?= $(shell $(PYTHON) -c 'import os; n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(); print((n or 1) + 1)')
test: install
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal --durations=15 --cov=models --cov=ortsverein --cov=discussions \
	  --cov=polls --cov=meetings --cov=elections --cov=motions --cov-report=term:skip-covered $(PYTEST_ARGS)

# The API against its own OpenAPI document: a fresh demo instance, then schemathesis
# (tests/contract/run_schemathesis.sh); any failure fails the target.
contract: install
	BIN=$(BIN) tests/contract/run_schemathesis.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# For developers: refresh the message catalogue after changing interface text.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F ortsverein/translations/babel.cfg -k _l -o ortsverein/translations/messages.pot --no-location --sort-output ortsverein discussions polls meetings elections motions templates templates/_macros
	$(BIN)/pybabel update -i ortsverein/translations/messages.pot -d ortsverein/translations -l en --no-fuzzy-matching

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/import_members.py
	$(BIN)/python bench/polls.py
	$(BIN)/python bench/elections.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/forum.py
	$(BIN)/python bench/thread_page_bytes.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/meeting.py
	$(BIN)/python bench/motions.py
	$(BIN)/python bench/production.py
	$(BIN)/python bench/production.py --rate 80 --rounds 6

clean:
	rm -rf $(VENV) instance .pytest_cache
