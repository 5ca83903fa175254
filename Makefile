# jdanalyzer: `make run` and `make test` work on a fresh machine with only Python and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := src/jdanalyzer/samples/ai_engineer.txt
CORPUS ?= ../shared/corpora

.PHONY: run test test-fast lint model bench browser clean

# (Re)install when the project's metadata changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,web,audit,dask,parquet]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/jdanalyzer classify $(SAMPLE)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts notebooks
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_notebooks_stripped.py notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py --corpus $(CORPUS)
	$(BIN)/python benchmarks/bench_classify.py
	$(BIN)/python benchmarks/bench_score.py --corpus $(CORPUS)
	$(BIN)/python benchmarks/bench_web.py

# Headless Chromium for the browser tests (Debian packages; needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

model: $(STAMP)
	$(BIN)/jdanalyzer train --postings $(CORPUS)/postings.csv.gz --labels $(CORPUS)/labels-train.csv \
	  --extra-labels corpora/labels-extra.csv --sentence-labels corpora/sentence-labels.csv \
	  --second-annotation corpora/second-annotation.csv --out models

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
