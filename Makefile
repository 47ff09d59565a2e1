# `make help` lists the targets. Everything runs from a local virtualenv in .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test lint format check-deploy browsers bench-admin bench-sync clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed ## Start web, worker and beat on the embedded default (SQLite, file broker, demo data); PORT=8123 HOST=0.0.0.0 to change
	$(PY) manage.py migrate --no-input
	WEB_HOST=$(HOST) WEB_PORT=$(PORT) $(PY) manage.py seed_demo
	@echo ""
	@echo "  Admin: http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)/admin/   (Ctrl-C stops web, worker and beat)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_HOST=$(HOST) WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: $(VENV)/.dev-installed browsers ## Run the test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/pytest -n 2 --dist loadfile

browsers: ## Install Debian's chromium for the real-browser tests (once; needs root)
	scripts/install-browser.sh

lint: $(VENV)/.dev-installed ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: $(VENV)/.runtime-installed ## Django's deployment checks with production-like values
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(openssl rand -hex 40) DJANGO_ALLOWED_HOSTS=hub.example.com \
	  FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	  POS_SANDBOX_ENABLED=false $(PY) manage.py check --deploy --fail-level WARNING

bench-admin: $(VENV)/.dev-installed ## Persona changelist and search latency with a million personas (needs DATABASE_URL)
	$(PY) manage.py bench_admin --personas 1000000

bench-sync: $(VENV)/.dev-installed ## Sales sync rate with a million sandbox sales, against COPY (needs DATABASE_URL)
	$(PY) manage.py bench_sync --sales 1000000

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
