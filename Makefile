# Two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test chromium quality-tools db demo clean

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

test: install-test chromium quality-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
