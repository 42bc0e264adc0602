# Veilleuse — every set-up step lives here so a fresh machine needs only `make run` / `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLAYGROUND_VERSION := 0.2.28
APP_MANIFEST_VERSION := 1.1.2
TOOLS := .tools
# make run / make playground: the bot's port; make playground: the Playground's port, the folder
# that keeps its data (make playground-reset deletes it), and DEMO=0 for an empty community.
PORT ?= 3978
PLAYGROUND_PORT ?= 56150
PLAYGROUND_DIR ?= .playground
DEMO ?= 1

.PHONY: run test lint unit e2e playground playground-reset screenshots package bench clean tools

$(STAMP): pyproject.toml requirements.lock.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# npm tools are installed at test time into an ignored folder, never committed.
$(TOOLS)/node_modules/.stamp-$(PLAYGROUND_VERSION)-$(APP_MANIFEST_VERSION):
	mkdir -p $(TOOLS)
	test -f $(TOOLS)/package.json || echo '{"name":"veilleuse-tools","private":true}' > $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-audit --no-fund --silent \
		@microsoft/m365agentsplayground@$(PLAYGROUND_VERSION) @microsoft/app-manifest@$(APP_MANIFEST_VERSION)
	cd $(TOOLS) && npm rebuild --silent
	touch $@

tools: $(TOOLS)/node_modules/.stamp-$(PLAYGROUND_VERSION)-$(APP_MANIFEST_VERSION)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m bot

lint: $(STAMP)
	$(BIN)/ruff check bot dialogs cards storage tests
	$(BIN)/ruff format --check bot dialogs cards storage tests
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) tools lint
	$(BIN)/python -m pytest -q

playground: $(STAMP) tools
	$(BIN)/python -m tests.e2e.playground --bot-port $(PORT) --port $(PLAYGROUND_PORT) \
		--dir $(PLAYGROUND_DIR) $(if $(filter 1,$(DEMO)),--demo,)

playground-reset:
	rm -rf $(PLAYGROUND_DIR)

# Pictures of the main cards (not part of make test): Debian's chromium and Python Playwright
# are installed at that moment (never committed); the PNGs go to the ignored screenshots/.
PLAYWRIGHT_VERSION := 1.65.2
screenshots: $(STAMP) tools
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -c "import playwright" 2>/dev/null || \
		$(BIN)/python -m pip install -q playwright==$(PLAYWRIGHT_VERSION)
	$(BIN)/python -m tests.e2e.screenshots

package: $(STAMP)
	$(BIN)/python -m bot.manifest

bench: $(STAMP)
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) $(TOOLS) build dist manifest/build
