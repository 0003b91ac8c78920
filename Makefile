# Two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test chromium quality-tools redis db demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --if-empty

run: demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests (never `playwright install`).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null); \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; exit 1; \
	  fi; \
	fi

# Pinned quality-gate tools from npm (axe-core for accessibility, the Nu Html Checker),
# fetched into .ci/tools/ (git-ignored) only when missing. tests/quality/ uses them.
AXE_VERSION := 4.14.1
VNU_VERSION := 26.9.27
TOOLS := .ci/tools/node_modules
$(TOOLS)/.installed-$(AXE_VERSION)-$(VNU_VERSION):
	@for tool in npm:npm java:default-jre-headless; do \
	  command -v $${tool%%:*} >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's $${tool#*:} for the quality gates"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $${tool#*:} >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $${tool#*:} >/dev/null); \
	  else \
	    echo "$${tool%%:*} is missing: run 'sudo apt-get install $${tool#*:}' for the quality gates"; exit 1; \
	  fi; \
	done
	npm install --no-save --no-audit --no-fund --prefix .ci/tools axe-core@$(AXE_VERSION) vnu-jar@$(VNU_VERSION) >/dev/null
	touch $@

quality-tools: $(TOOLS)/.installed-$(AXE_VERSION)-$(VNU_VERSION)

# Redis on 127.0.0.1:6379: the proxy test runs gunicorn with two workers sharing a Redis limiter store.
# Debian's redis-server is installed and started (keeping nothing on disk) only when none answers.
REDIS_UP := $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null
redis: | $(BIN)/python
	@if ! $(REDIS_UP); then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing and starting Debian's redis-server for the proxy test"; \
	    command -v redis-server >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 || \
	      (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null); \
	    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null; \
	    for _ in 1 2 3 4 5 6 7 8 9 10; do $(REDIS_UP) && break; sleep 1; done; \
	  else \
	    echo "Redis is not running on 127.0.0.1:6379: run 'sudo apt-get install redis-server'"; exit 1; \
	  fi; \
	fi

test: install-test chromium quality-tools redis
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
