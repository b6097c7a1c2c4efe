# Lien — `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PY310 ?= $(shell command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys' 2>/dev/null && echo python3.10 || ls -d $$HOME/.pyenv/versions/3.10*/bin/python3.10 2>/dev/null | tail -1)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
# The listener console's own environment: an aiohttp Rasa's pin does not allow
# (requirements-console.in says why; README, "Dependencies").
CONSOLE_VENV := .venv-console
CONSOLE_STAMP := $(CONSOLE_VENV)/.installed

.PHONY: setup run train test test-fast eval eval-heldout bench drill validate lint types lock clean

setup: $(STAMP) $(CONSOLE_STAMP)

$(STAMP): requirements.txt
	@test -n "$(PY310)" || { echo "Python 3.10 is needed (Rasa 3.6 runs on 3.8-3.10)"; exit 1; }
	test -x $(PY) || $(PY310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<24" wheel
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip check
	$(PY) -m bot.rasa.vectors install
	touch $(STAMP)

$(CONSOLE_STAMP): requirements-console.txt
	@test -n "$(PY310)" || { echo "Python 3.10 is needed"; exit 1; }
	test -x $(CONSOLE_VENV)/bin/python || $(PY310) -m venv $(CONSOLE_VENV)
	$(CONSOLE_VENV)/bin/python -m pip install --quiet --upgrade "pip<24" wheel
	$(CONSOLE_VENV)/bin/python -m pip install --quiet -r requirements-console.txt
	$(CONSOLE_VENV)/bin/python -m pip check
	touch $(CONSOLE_STAMP)

run: setup
	$(PY) -m bot run

# The data are checked by `make validate` (and by the test suite): training
# skips Rasa's own check (its story-conflict pass took 20 s of `make train`).
train: setup
	$(RASA) train --skip-validation --fixed-model-name lien --out models

validate: setup
	$(RASA) data validate --max-history 4

test: setup
	$(PY) -m pytest -q

# The edit-test loop (under two minutes): every test that does not need the
# trained model (conftest marks those `model` from their fixtures) and is not
# `slow` (real worker processes, the drill, rasa data validate, the evaluation's
# independence scan: make test runs those). No training.
test-fast: setup
	$(PY) -m pytest -q -m "not model and not slow"

# Independent sets (tests/eval/): figures for the dev and the sealed half, with
# 95% intervals; exits 1 when the sealed half misses a gate.
eval: train
	$(PY) -m tools.eval_independent

# The older held-out split of data/nlu (a model trained on 80%): memory, mostly.
eval-heldout: setup
	$(PY) -m tools.evaluate

# Pyflakes, pycodestyle and bugbear (ruff.toml), on the product, tools and tests;
# then the import contracts (.importlinter): one direction of imports.
lint: setup
	$(VENV)/bin/ruff check bot actions channels tools tests
	$(VENV)/bin/lint-imports

# mypy on the product packages (mypy.ini).
types: setup
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m tools.bench
	$(PY) -m tools.bench_checkins
	$(PY) -m tools.bench_alerts

# Silence is a signal (issue 14): a morning of 2,000 check-ins on a fast clock
# (x120, about 2 minutes), real workers (one killed), the ladder after a silence;
# one line of figures; exits 1 when a figure of the issue is missed.
drill: setup
	$(PY) -m tools.drill

lock:
	$(PY310) -m venv /tmp/lien-lock && /tmp/lien-lock/bin/pip install -q "pip<24" && /tmp/lien-lock/bin/pip install -q -r requirements.in && /tmp/lien-lock/bin/pip check && /tmp/lien-lock/bin/pip freeze | sed '1i # Pinned: generated from requirements.in by `make lock` on Python 3.10 (pip check clean).' > requirements.txt
	$(PY310) -m venv /tmp/lien-lock-console && /tmp/lien-lock-console/bin/pip install -q "pip<24" && /tmp/lien-lock-console/bin/pip install -q -r requirements-console.in && /tmp/lien-lock-console/bin/pip check && /tmp/lien-lock-console/bin/pip freeze | sed '1i # Pinned: generated from requirements-console.in by `make lock` on Python 3.10 (pip check clean).' > requirements-console.txt

clean:
	rm -rf var/ .pytest_cache
