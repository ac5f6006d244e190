# honorcode-xblock: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
# the venv's own Python once it exists (a venv made with python3.12 keeps its 3.12 pins whatever PYTHON is)
PY_MINOR := $(shell $(BIN)/python -c 'import sys; print(sys.version_info[1])' 2>/dev/null || $(PYTHON) -c 'import sys; print(sys.version_info[1])' 2>/dev/null)
REQ_SUFFIX := $(if $(filter 11,$(PY_MINOR)),-py311,)
SETTINGS := --settings=honorcode_demo.settings
PYTEST_ARGS ?=

.PHONY: help demo test test-fast test-integration requirements upgrade extract_translations compile_translations clean

help:
	@echo "make demo   run the demo (xblock-sdk workbench, SQLite) on 127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test   run the whole test suite on SQLite (HONORCODE_DB=mysql for MySQL/MariaDB)"
	@echo "make test-integration   the suite on real services: MariaDB, Redis, gunicorn and a Celery worker"
	@echo "make upgrade   re-pin requirements/*.txt from requirements/*.in (run with python3.12 and python3.11)"
	@echo "make extract_translations / compile_translations   the translation catalogs"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.demo-installed: $(BIN)/python requirements/demo$(REQ_SUFFIX).txt setup.py demo/setup.py
	$(BIN)/pip install -q -r requirements/demo$(REQ_SUFFIX).txt
	$(BIN)/pip install -q --no-deps -e . -e demo
	touch $@

$(VENV)/.test-installed: $(VENV)/.demo-installed requirements/test$(REQ_SUFFIX).txt
	$(BIN)/pip install -q -r requirements/test$(REQ_SUFFIX).txt
	touch $@

$(VENV)/.ci-installed: $(VENV)/.test-installed requirements/ci$(REQ_SUFFIX).txt
	$(BIN)/pip install -q -r requirements/ci$(REQ_SUFFIX).txt
	touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

demo: $(VENV)/.demo-installed
	$(BIN)/python -m django migrate --run-syncdb -v 0 $(SETTINGS)
	$(BIN)/python -m django seed_demo --port $(PORT) $(SETTINGS)
	$(BIN)/python -m django runserver 127.0.0.1:$(PORT) $(SETTINGS)

test: $(VENV)/.test-installed node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test-installed
	$(BIN)/python -m pytest -m "not browser and not packaging" $(PYTEST_ARGS)

# MariaDB and Redis on 127.0.0.1 (Redis databases 10 to 12); the suite starts gunicorn and the worker itself.
INTEGRATION_DB ?= honorcode_integration
test-integration: $(VENV)/.ci-installed
	HONORCODE_DB=mysql HONORCODE_DB_NAME=$(INTEGRATION_DB) HONORCODE_DB_TEST_NAME=test_$(INTEGRATION_DB) \
	HONORCODE_CACHE=redis HONORCODE_REDIS_URL=redis://127.0.0.1:6379/10 HONORCODE_CACHE_PREFIX=honorcode-it \
	HONORCODE_CELERY_EAGER=false HONORCODE_CELERY_BROKER=redis://127.0.0.1:6379/11 \
	$(BIN)/python -m pytest tests/integration -m integration $(PYTEST_ARGS)

upgrade: $(BIN)/python
	$(BIN)/pip install -q pip-tools
	cd requirements && for req in demo test ci; do \
		../$(BIN)/pip-compile -q --allow-unsafe --no-strip-extras --no-emit-index-url --no-emit-find-links \
			--upgrade --output-file $$req$(REQ_SUFFIX).txt $$req.in; done

extract_translations: $(VENV)/.demo-installed
	cd honorcode_xblock && ../$(BIN)/django-admin makemessages -l en -d django --extension html,py,txt

compile_translations: $(VENV)/.demo-installed
	cd honorcode_xblock && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) build dist *.egg-info var node_modules
