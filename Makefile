# The README's two commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test unit lint format bench faults clean system-deps

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	# The package itself, editable, against the pinned dependencies just installed.
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: install  ## serve the bundled demo sites and crawl them into data/news.db
	$(BIN)/python -m crawler demo

test: install  ## lint, types, then the whole test suite
	@bash scripts/check-system-deps.sh
	$(BIN)/ruff check crawler tests bench
	$(BIN)/ruff format --check crawler tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

unit: install  ## the fast unit suite only (no servers, no crawls)
	$(BIN)/python -m pytest -m "not e2e"

lint: install
	$(BIN)/ruff check crawler tests bench

format: install
	$(BIN)/ruff format crawler tests bench
	$(BIN)/ruff check --fix crawler tests bench

faults: install  ## the fault table: hostile servers and pages crawled, what happened to each
	$(BIN)/python bench/faults.py

bench: install  ## extraction quality on ../shared/realpages when present
	$(BIN)/python bench/extraction.py

system-deps:  ## Debian packages some tests start for real: Chromium + driver, redis-server (root)
	bash scripts/system-deps.sh

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
