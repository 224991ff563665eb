# Two commands from a fresh clone:  make run   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
# pytest-xdist workers for `make test`. The machines (developers' and CI's) have 2 cores,
# and one pytest process keeps one of them busy: 2 workers roughly halve the suite's wall
# time. Each worker has its own test database (test_…_gw0, test_…_gw1) and its own caches.
# PYTEST_WORKERS=0 runs the suite in one process, as before (for a debugger or -x).
PYTEST_WORKERS ?= 2
PYTEST_XDIST := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))
# The slowest tests are listed at the end of every run (where CI's time goes).
PYTEST_ARGS ?= --durations=25

.PHONY: run test install install-dev check pytest browser-note messages bench clean

$(VENV)/.installed-dev: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty
	$(BIN)/python manage.py serve

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

test: check
	@if [ -x "$(CHROMIUM)" ]; then \
		echo "Chromium found at $(CHROMIUM): the browser tests run too."; \
		$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS); \
	else \
		echo "*** Debian's chromium is NOT installed: the browser tests are NOT run. ***"; \
		echo "*** Install it with: apt-get install chromium                          ***"; \
		$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS) -m "not browser"; \
	fi

messages: install
	cd congvu && ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete
	$(BIN)/python -m congvu.core.compile_messages

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
