# Quick start: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint fmt typecheck check bench system audit clean setup node browser libical

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund --silent && $(PY) -m service.web.assets && touch node_modules/.installed; \
	else echo "npm not found: calendar-feed checks with ical.js and front-end assets are skipped"; fi

node: $(STAMP) node_modules/.installed

browser:
	@sh scripts/install-chromium.sh

libical:
	@sh scripts/install-libical.sh

run: setup node
	$(PY) -m service serve

# Test files are spread over one process per core (at most four), each with its own database on
# the same server; a file's tests stay together so its module fixtures are built once.
PARALLEL := -n auto --maxprocesses 4 --dist loadfile

test: setup node browser libical
	$(PY) -m pytest -q -p no:cacheprovider -m "not system" $(PARALLEL) --cov --cov-report=; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

test-fast: setup
	$(PY) -m pytest -q -m "not browser and not system and not slow" $(PARALLEL)

lint: setup
	$(VENV)/bin/ruff check service tests bench migrations scripts
	$(VENV)/bin/ruff format --check service tests bench migrations scripts
	$(PY) scripts/dead_code.py

fmt: setup
	$(VENV)/bin/ruff check --fix service tests bench migrations scripts
	$(VENV)/bin/ruff format service tests bench migrations scripts

typecheck: setup
	$(VENV)/bin/mypy

# Everything a change must pass before it is pushed, quickest first.
check: lint typecheck test

bench: setup node
	$(PY) -m bench

system: setup node
	timeout 900 $(PY) -m pytest -q -p no:cacheprovider -m system tests/system

audit: setup
	sh scripts/audit.sh

clean:
	rm -rf $(VENV) node_modules .data .pytest_cache
