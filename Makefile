# Set-up is part of every target: `make demo` and `make test` work from a fresh clone.
PYTHON ?= $(shell tools/find-python)
VENV := .venv
BIN := $(VENV)/bin
ASSETS := .cache/solara-assets
SCENARIO ?= default

.PHONY: demo test format bench showcase clean app browser-setup validate

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: no Python >= 3.12 found (see tools/find-python)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cogov run default --out results/demo
	@echo "demo results written to results/demo/ (timeseries.csv, summary.json, disputes.csv, figures/)"

test: $(VENV)/.installed browser-setup
	$(BIN)/ruff check sim tests benchmarks tools
	$(BIN)/ruff format --check sim tests benchmarks tools
	$(BIN)/python -m pytest -q

# What the browser tests need: Chromium (apt-get installs it when we are root) and solara's
# front-end files from the npm registry (cached in $(ASSETS)). Without Chromium this stops and
# says what to install; SKIP_BROWSER=1 skips both, and pytest reports the browser tests skipped.
browser-setup: $(VENV)/.installed
ifeq ($(SKIP_BROWSER),1)
	@echo "SKIP_BROWSER=1: the browser tests will be reported as skipped"
else
	@tools/ensure-chromium >/dev/null
	$(BIN)/python tools/fetch_solara_assets.py $(ASSETS)
endif

# The browser app on http://127.0.0.1:8765/ (make app SCENARIO=fee_spiral; see docs/app.md).
app: $(VENV)/.installed
	@$(BIN)/python tools/fetch_solara_assets.py $(ASSETS) || echo "warning: solara's front-end files were not fetched; the page will load them from its CDN"
	$(BIN)/cogov app $(SCENARIO)

format: $(VENV)/.installed
	$(BIN)/ruff format sim tests benchmarks tools
	$(BIN)/ruff check --fix sim tests benchmarks tools

# Every suite but the instruction counts (which need valgrind): about half an hour on 2 cores.
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks --only end_to_end stepping build place memory sweep city calibration ema

clean:
	rm -rf $(VENV) results/demo results/bench

# The small curated showcase shown in the README (regenerated, never edited by hand).
showcase: $(VENV)/.installed
	$(BIN)/cogov run default --out results/showcase/default --quiet
	$(BIN)/cogov run fee_spiral --out results/showcase/fee_spiral --quiet
	$(BIN)/cogov run elevator_retrofit --out results/showcase/elevator_retrofit --quiet
	rm -f results/showcase/*/disputes.csv

# The pattern-oriented validation report (docs/validation.md and its figures), regenerated
# from experiments/patterns.yaml; the runs are kept in results/patterns/ (resumable).
validate: $(VENV)/.installed
	$(BIN)/cogov patterns --out results/patterns --doc docs/validation.md
