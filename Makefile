# The two commands: `make run` and `make test` (README). Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist), each with its own test database; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist load)

.PHONY: run test serve install install-dev lint lock migrations-check test-postgres messages compilemessages bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo province and serve it on http://$(HOST):$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, the import contract, migrations check and the whole test suite
test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-postgres: install-dev
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .

# Re-pin the whole dependency tree after editing requirements.in or
# requirements-dev.in; `make lock UPGRADE=1` also moves pins to the newest
# versions the .in files allow.
PIP_COMPILE = $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade)
lock: install-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# Update the gettext catalogues: one per app, plus locale/ for site-wide templates.
messages: install-dev
	for app in home procedures eforms accounts signing search notifications payments postal backoffice feedback reports api; do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l vi -l en --no-obsolete --ignore 'tests/*') ; \
	done
	$(PY) manage.py makemessages -l vi -l en --no-obsolete -i '.venv/*' -i 'home/*' -i 'procedures/*' -i 'eforms/*' -i 'accounts/*' -i 'search/*' -i 'notifications/*' -i 'signing/*' -i 'payments/*' -i 'postal/*' -i 'backoffice/*' -i 'feedback/*' -i 'reports/*' -i 'api/*' -i 'tests/*' -i 'bench/*'

compilemessages: install-dev
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles
