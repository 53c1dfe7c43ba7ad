# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv when it is missing and install the project with the pinned versions
# from constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests run in this many worker processes (pytest-xdist; each worker has a PostgreSQL
# database of its own, see tests/conftest.py); 0 runs them in the pytest process itself.
PYTEST_WORKERS ?= 2
# COVERAGE=1 (what CI runs, .ci/run): the tests under branch coverage, then the floors.
COVERAGE ?= 0
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: demo test lint typecheck unit install clean messages coverage-ratchet

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/controlbot demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The tests; with COVERAGE=1 under branch coverage, and each package must stay at or above its
# floor in tools/coverage-floors.json (floors only go up: `make coverage-ratchet` after adding
# tests). Coverage costs the tests 60-100 % more CPU on Python 3.11, so only CI pays it always.
unit: $(STAMP)
ifeq ($(COVERAGE),1)
	mkdir -p var
	$(PYTEST) --cov --cov-report=json:var/coverage.json
	$(BIN)/python tools/coverage_floor.py var/coverage.json
else
	$(PYTEST)
endif

# After `make test COVERAGE=1`: raise each floor to the coverage just measured.
coverage-ratchet: $(STAMP)
	$(BIN)/python tools/coverage_floor.py --ratchet var/coverage.json

test: lint typecheck unit

clean:
	rm -rf $(VENV) var build *.egg-info

# Re-extract translatable strings and merge them into the lv and en catalogues.
messages: $(STAMP)
	$(BIN)/pybabel extract -k gettext -k ngettext:1,2 -k N_ --no-default-keywords \
		--no-location --sort-output --project=controlbot --copyright-holder=controlbot \
		--width=99 -F babel.cfg -o locales/messages.pot bot workflows
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width=99
