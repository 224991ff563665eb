# Two commands from a fresh clone:  make run   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

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
		$(BIN)/pytest; \
	else \
		echo "*** Debian's chromium is NOT installed: the browser tests are NOT run. ***"; \
		echo "*** Install it with: apt-get install chromium                          ***"; \
		$(BIN)/pytest -m "not browser"; \
	fi

messages: install
	cd congvu && ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete
	$(BIN)/python -m congvu.core.compile_messages

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
