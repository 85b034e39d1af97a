# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
EXTRACT := $(BIN)/pybabel extract -F locales/babel.cfg --no-default-keywords -k N_ -k _ -k _l \
	--project=Vecino --version=0.1 --copyright-holder="Vecino contributors" --no-location \
	--sort-output

.PHONY: run test install dev lint format catalogs extract-messages update-catalogs bench clean \
	browser screenshots

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
	$(BIN)/vecino surveys demo
	PORT=$(PORT) $(BIN)/vecino run

test: dev catalogs browser
	$(BIN)/ruff check .
	$(BIN)/vecino flows check
	$(BIN)/python -m pytest

# The admin view's browser tests drive Debian's Chromium (never a browser download).
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the admin browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "The admin view's browser tests need Debian's Chromium at $(CHROMIUM)." >&2; \
		echo "Install it once with: sudo apt-get install chromium" >&2; exit 1; \
	fi

# Regenerate the README's admin screenshots (docs/img/*.png) from the browser tests.
screenshots: dev catalogs browser
	VECINO_SCREENSHOTS=docs/img $(BIN)/python -m pytest -q -p no:cacheprovider tests/admin/test_browser.py

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
	$(BIN)/python bench/understanding.py
	$(BIN)/python bench/admin.py
	$(BIN)/python bench/slow_clients.py
	$(BIN)/python bench/bounded_waits.py

clean:
	rm -rf $(VENV) instance .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find locales -name '*.mo' -delete
