# Two commands for a fresh machine:  make demo  (validate the seeds, write reports/)
#                                    make test  (the project's test suite)
# Both create .venv and install corpus-qa into it first.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup demo test test-fast browser lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

# Validate the seed corpus with the default suite. The seeds have known errors (a
# missing source, a missing date, boilerplate), so corpus-qa exits 1: that is the
# expected verdict, not a failure of the demo.
demo: setup
	@mkdir -p reports
	$(VENV)/bin/corpus-qa validate seeds --report reports --json reports/results.json \
	  --junit reports/junit.xml --summary-md reports/summary.md; \
	  code=$$?; if [ $$code -gt 1 ]; then exit $$code; fi; \
	  echo "corpus-qa exited $$code (1 = expectations failed, as expected for the seeds)"; \
	  echo "HTML report: reports/index.html   JSON: reports/results.json"

# Debian's chromium drives the browser tests (no browser download). Installed with
# apt-get when missing and we are root; otherwise the tests say what to install.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	  else echo "note: $(CHROMIUM) missing; run 'sudo apt-get install chromium' for the browser tests"; fi; \
	fi

test: setup browser
	$(PY) -m pytest -n 2 -q

test-fast: setup
	$(PY) -m pytest -n 2 -q -m "not browser"

bench: setup
	$(PY) benchmarks/encoding_throughput.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.json reports/*.png .pytest_cache .hypothesis
