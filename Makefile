# Two commands for a fresh machine:  `make map`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: map test test-quick lint bench quality clean

map: $(VENV)/.runtime          ## set up and build output/map.html from the sample corpus
	$(BIN)/nkmap build

test: $(VENV)/.test            ## set up and run lint, the whole test suite and the wheel check (installs Debian chromium if missing)
	./tools/install-chromium.sh
	$(MAKE) lint
	$(BIN)/python -m pytest
	./tools/wheel-smoke.sh

test-quick: $(VENV)/.test      ## the quick subset while working, on 2 processes (about a minute; keeps its caches in .venv/test-cache-gw*)
	./tools/install-chromium.sh
	NKMAP_TEST_CACHE_DIR=$(CURDIR)/$(VENV)/test-cache $(BIN)/python -m pytest -m "not slow" -q -n 2

lint: $(VENV)/.test            ## ruff (lint and format check) and mypy on src/
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy src

bench: $(VENV)/.bench            ## speed (~30 min): issue 15's targets, one table (nkmap, --workers 2, Dask, geotext, flashgeotext, floor; 1/10/50 MB, medians of 5), start-up, page, profile
	./tools/install-chromium.sh
	$(BIN)/python bench/speed.py --write bench/RESULTS.md

quality: $(VENV)/.bench          ## recognition/resolution quality on ../shared/devset, nkmap vs peers
	$(BIN)/python bench/quality.py

$(VENV)/.bench: $(VENV)/.runtime
	$(BIN)/python -m pip install -q -e '.[bench]'
	touch $@

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) output/*.html output/*.geojson output/*.csv output/*.kml output/*.png output/*.svg
