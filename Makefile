# mooc — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MOOC_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test lint check translations translations-update install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) translations

## Refresh the message catalogues after changing UI text (then translate mooc/translations/vi).
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --ignore-dirs '.*' \
		--no-location --sort-output --project mooc -o mooc/translations/messages.pot .
	$(BIN)/pybabel update -i mooc/translations/messages.pot -d mooc/translations --no-fuzzy-matching

translations: $(STAMP)
	$(BIN)/pybabel compile -d mooc/translations

## Serve the platform on http://127.0.0.1:5000 with SQLite, local files, demo content and accounts.
run: install
	MOOC_DEMO=1 $(BIN)/flask --app app db upgrade
	MOOC_DEMO=1 $(BIN)/flask --app app content import content
	MOOC_DEMO=1 $(BIN)/flask --app app demo load
	MOOC_DEMO=1 $(BIN)/flask --app app run --host 127.0.0.1 --port 5000

## Static checks: ruff, import contracts, mypy.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check mooc tests
	$(BIN)/lint-imports
	$(BIN)/mypy

## All checks and the whole test suite (PostgreSQL too when MOOC_TEST_DATABASE_URL is set).
test: lint
	bash scripts/test-services.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance
