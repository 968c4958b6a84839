# make       set up .venv, install brochure, build out/2009-spring.pdf
# make test  run every test (sets up whatever it needs first)
# make lint  ruff and mypy
# make pictures  docs/pictures/<edition>.png for the README

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

BUILD_PACKAGES := libharfbuzz-subset0
TEST_PACKAGES  := qpdf poppler-utils strace chromium

.PHONY: all test lint bench pictures system-build system-test clean

all: out/2009-spring.pdf

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

system-build:
	@tools/system-deps.sh $(BUILD_PACKAGES)

system-test:
	@tools/system-deps.sh $(BUILD_PACKAGES) $(TEST_PACKAGES)

out/2009-spring.pdf: $(STAMP) system-build issues/2009-spring.yaml FORCE
	$(BIN)/brochure build issues/2009-spring.yaml

test: $(STAMP) system-test
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

pictures: $(STAMP) system-test
	$(BIN)/python tools/pictures.py

bench: $(STAMP) system-test
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_build.py --synthetic large --rounds 3
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_batch.py --size medium --rounds 3
	$(BIN)/python bench/bench_rebuild.py --repeat 8
	$(BIN)/python bench/bench_preview.py

clean:
	rm -rf out

FORCE:
