# Set-up is part of every target: `make demo` and `make test` work from a fresh clone.
PYTHON ?= $(shell tools/find-python)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test format bench showcase clean

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

test: $(VENV)/.installed
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/python -m pytest -q

format: $(VENV)/.installed
	$(BIN)/ruff format sim tests benchmarks
	$(BIN)/ruff check --fix sim tests benchmarks

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) results/demo results/bench

# The small curated showcase shown in the README (regenerated, never edited by hand).
showcase: $(VENV)/.installed
	$(BIN)/cogov run default --out results/showcase/default --quiet
	$(BIN)/cogov run fee_spiral --out results/showcase/fee_spiral --quiet
	rm -f results/showcase/*/disputes.csv
