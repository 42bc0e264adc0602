# Veilleuse — every set-up step lives here so a fresh machine needs only `make run` / `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLAYGROUND_VERSION := 0.2.28
APP_MANIFEST_VERSION := 1.1.2
TOOLS := .tools
# Container image (docs/DEPLOY.md). BASE_IMAGE: a Debian 12 image with Python 3.11 and venv.
IMAGE ?= veilleuse:latest
BASE_IMAGE ?= python:3.11-slim-bookworm
LOCAL_BASE_IMAGE := veilleuse-base:bookworm
WHEELS := build/image-wheels

# make run / make playground: the bot's port; make playground: the Playground's port, the folder
# that keeps its data (make playground-reset deletes it), and DEMO=0 for an empty community.
PORT ?= 3978
PLAYGROUND_PORT ?= 56150
PLAYGROUND_DIR ?= .playground
DEMO ?= 1

.PHONY: run test test-dates lint unit e2e playground playground-reset screenshots package bench clean tools \
	wheels image image-base image-test

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

# The whole suite today, after the date-sensitive tests at each hard date (tests/dates.py).
test: $(STAMP) tools lint test-dates
	$(BIN)/python -m pytest -q

# AT=2027-11-07T01:30 make test-dates: one chosen moment (local America/Montreal time).
test-dates: $(STAMP)
	$(BIN)/python -m tests.dates $(AT)

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

# The bot's wheel and its runtime dependencies only, at the lock's versions (no test tools).
wheels: $(STAMP)
	rm -rf $(WHEELS)
	$(BIN)/python -m pip wheel -q --wheel-dir $(WHEELS) -c requirements.lock.txt .

image: wheels
	docker build --build-arg BASE_IMAGE=$(BASE_IMAGE) -t $(IMAGE) .

# A base image from Debian's packages, where no container registry is reachable (root only).
image-base:
	scripts/debian-base-image.sh $(LOCAL_BASE_IMAGE)

# Builds the image and checks /healthz from a container; skipped with a reason without docker.
image-test: wheels
	VEILLEUSE_BASE_IMAGE=$(BASE_IMAGE) $(BIN)/python -m pytest -q -m image tests/image

clean:
	rm -rf $(VENV) $(TOOLS) build dist manifest/build
