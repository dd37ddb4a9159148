# The commands of the README: `make demo`, `make test` and `make serve` (production mode).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000
# the address in every link the demo texts and shows (`make demo HOST=192.168.1.20:8000`, or
# SSCARD_PUBLIC_URL=https://… behind a proxy); the served host name is also an allowed host
demo: export SSCARD_PUBLIC_URL ?= http://$(HOST)
DEMO_HOSTS := 127.0.0.1,localhost,$(firstword $(subst :, ,$(HOST)))
# two workers: the suite takes half the time on a 2-core machine
PYTEST_ARGS ?= -n 2

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo serve test lint install install-test browser-deps cjk-font clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The browser tests drive Debian's chromium; a CJK font keeps the Chinese in screenshots legible.
browser-deps:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
		$(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium fonts-wqy-microhei; }

# The PDF receipts (受理回执, 办结凭证) are set in a Chinese font from the system: installed if
# apt-get can without asking for a password, else the demo says what is missing and runs on
# (every page works; only the PDF downloads answer that the font is missing).
CJK_MISSING := 注意：未找到中文字体，PDF 受理回执/办结凭证无法生成。请安装 fonts-wqy-microhei（Debian/Ubuntu：sudo apt-get install fonts-wqy-microhei，或 make browser-deps），或在 .env 中设置 SSCARD_PDF_FONT=<中文字体文件路径>
cjk-font:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
		command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] && SUDO_N= || SUDO_N="sudo -n"; \
		DEBIAN_FRONTEND=noninteractive $$SUDO_N apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1; }; \
		fc-list :lang=zh 2>/dev/null | grep -q . || echo "$(CJK_MISSING)"; }

## Set everything up and run the service with demo data on http://127.0.0.1:8000
demo: install cjk-font
	$(PY) scripts/make_env.py .env
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-$(DEMO_HOSTS)} $(PY) scripts/serve.py $(HOST) $(if $(SIMULATE),--simulate-partners)

## Production mode on HOST: granian (WORKERS, one a core by default), TASK_WORKERS task workers
## and the periodic runner on PostgreSQL (DATABASE_URL) and Redis (CACHE_URL), with settings and
## keys from .env.production (written once; SSCARD_ENV_FILE names another); checked, migrated
## and its static files collected first. Ctrl-C (or SIGTERM) stops everything.
SERVE_ARGS = $(if $(WORKERS),--workers $(WORKERS)) $(if $(TASK_WORKERS),--task-workers $(TASK_WORKERS))
serve: install cjk-font
	$(PY) scripts/make_env.py --production $${SSCARD_ENV_FILE:-.env.production}
	mkdir -p var
	$(PY) scripts/serve.py --production $(HOST) $(SERVE_ARGS)

## Set everything up and run the whole test suite (lint, types, tests)
test: install-test browser-deps
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sscard config
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
