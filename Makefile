# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
EXTRACT := $(BIN)/pybabel extract -F locales/babel.cfg --no-default-keywords -k N_ -k _ -k _l \
	--project=Vecino --version=0.1 --copyright-holder="Vecino contributors" --no-location \
	--sort-output

.PHONY: run test install dev lint format catalogs extract-messages update-catalogs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
dev: $(DEV_STAMP)

catalogs: $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages --statistics

run: install catalogs
	$(BIN)/vecino db upgrade
	$(BIN)/vecino demo --if-empty
	PORT=$(PORT) $(BIN)/vecino run

test: dev catalogs
	$(BIN)/ruff check .
	$(BIN)/vecino flows check
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the template after changing any marked string; tests fail while it is stale.
extract-messages: dev
	$(EXTRACT) -o locales/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-wrap

bench: dev catalogs
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/telegram_webhook.py
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/surveys.py
	$(BIN)/python bench/slow_clients.py
	$(BIN)/python bench/bounded_waits.py

clean:
	rm -rf $(VENV) instance .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find locales -name '*.mo' -delete
