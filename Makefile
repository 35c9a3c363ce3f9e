# Two commands for a fresh machine:  `make map`  and  `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: map test bench quality clean

map: $(VENV)/.runtime          ## set up and build output/map.html from the sample corpus
	$(BIN)/nkmap build

test: $(VENV)/.test            ## set up and run the whole test suite (installs Debian chromium if missing)
	./tools/install-chromium.sh
	$(BIN)/python -m pytest

bench: $(VENV)/.bench            ## speed: nkmap vs geotext vs flashgeotext, 1/10/50 MB, maps, browser
	./tools/install-chromium.sh
	$(BIN)/python bench/speed.py --browser --write bench/RESULTS.md

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
