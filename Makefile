# Passage: `make run` starts the app on http://127.0.0.1:8000, `make test` runs the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_KEY := var/dev-master.key
AXE := node_modules/axe-core/axe.min.js

# Without a configured master key, a development key file is made under var/ (and we say so).
ifeq ($(strip $(PASSAGE_MASTER_KEYS)$(PASSAGE_MASTER_KEY_FILE)),)
export PASSAGE_MASTER_KEY_FILE := $(CURDIR)/$(DEV_KEY)
KEY_TARGET := $(DEV_KEY)
endif

.PHONY: run test install translations migrate lint bench clean

run: export DJANGO_DEBUG ?= 1
run: install translations $(KEY_TARGET)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# In parallel, one worker per core (pytest-xdist): each worker has its own test database and var/test/gwN.
test: install translations $(AXE)
	$(BIN)/python -m pytest -n auto

install: $(INSTALLED)

# axe-core, injected by the browser tests to check accessibility (npm registry; test-only).
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

translations: install
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	env -u DJANGO_SETTINGS_MODULE $(BIN)/django-admin compilemessages --ignore=.venv --verbosity=0

$(DEV_KEY):
	@mkdir -p var
	@umask 077 && $(BIN)/python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > $@
	@echo "*** No master key configured: created a DEVELOPMENT master key in $(DEV_KEY)."
	@echo "*** Never use it for real case data; see README.md, 'Configuration'."

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/static
