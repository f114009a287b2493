# mooc — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MOOC_INSTANCE_PATH ?= $(CURDIR)/instance
# Two pytest workers on the two-core machines we run on (browser tests run last in each worker).
PYTEST_ARGS ?= -n 2

# The SCORM content origin's address (content_app.py), served beside the platform by `make run`
# and `make dev`; MOOC_CONTENT_ORIGIN (default http://localhost:5001) is how browsers reach it.
CONTENT_BIND ?= 127.0.0.1:5001
VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/node_modules/.installed

.PHONY: run dev demo-data assets vendor test lint check translations translations-update install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP) translations vendor assets

## Browser libraries the platform serves (the SCORM runtime scorm-again), from the npm registry
## at the versions package-lock.json pins: `npm ci` in static/vendor (node_modules is gitignored),
## or scripts/vendor.py (the same tarballs, integrity-checked) where npm is not installed.
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): $(VENDOR)/package.json $(VENDOR)/package-lock.json
	if command -v npm >/dev/null 2>&1; then cd $(VENDOR) && npm ci --no-audit --no-fund --loglevel=error; \
	else $(BIN)/python scripts/vendor.py $(VENDOR); fi
	touch $(VENDOR_STAMP)

## Precompressed copies (.br, .gz) of the CSS, scripts and icons under static/ (gitignored).
assets: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/flask --app app assets compress >/dev/null

## Refresh the message catalogues after changing UI text (then translate mooc/translations/vi).
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --ignore-dirs '.*' \
		--no-location --sort-output --project mooc -o mooc/translations/messages.pot .
	$(BIN)/pybabel update -i mooc/translations/messages.pot -d mooc/translations --no-fuzzy-matching

translations: $(STAMP)
	$(BIN)/pybabel compile -d mooc/translations

## Serve the platform on http://127.0.0.1:5000 with SQLite, local files, demo content and accounts,
## through gunicorn (gunicorn.conf.py: MOOC_BIND, MOOC_WORKERS, MOOC_THREADS), with the background
## worker (scripts/worker.sh: the one place its command is written) and the SCORM content origin
## (content_app.py on CONTENT_BIND, http://localhost:5001) beside it, stopped with it.
run: demo-data
	MOOC_DEMO=1 scripts/worker.sh $(BIN) & worker=$$!; \
	MOOC_DEMO=1 $(BIN)/gunicorn --config gunicorn.conf.py --bind $(CONTENT_BIND) --workers 1 content_app:app & content=$$!; \
	trap 'kill $$worker $$content' EXIT INT TERM; \
	MOOC_DEMO=1 $(BIN)/gunicorn --config gunicorn.conf.py app:app

## The same with Flask's reloading development server and debugger.
dev: demo-data
	MOOC_DEMO=1 scripts/worker.sh $(BIN) & worker=$$!; \
	MOOC_DEMO=1 $(BIN)/flask --app content_app run --host $(word 1,$(subst :, ,$(CONTENT_BIND))) --port $(word 2,$(subst :, ,$(CONTENT_BIND))) & content=$$!; \
	trap 'kill $$worker $$content' EXIT INT TERM; \
	MOOC_DEMO=1 $(BIN)/flask --app app run --debug --host 127.0.0.1 --port 5000

demo-data: install
	MOOC_DEMO=1 $(BIN)/flask --app app db upgrade
	MOOC_DEMO=1 $(BIN)/flask --app app content import content
	MOOC_DEMO=1 $(BIN)/flask --app app demo load

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
	rm -rf $(VENV) instance $(VENDOR)/node_modules
	find static -type f \( -name '*.br' -o -name '*.gz' \) -delete
