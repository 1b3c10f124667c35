# Two commands for a fresh machine:  make demo  (validate the seeds, write reports/)
#                                    make test  (the project's test suite)
# Both create .venv and install corpus-qa into it first.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium
# GX Data Docs load Bootstrap/jQuery/Font Awesome from CDNs; installed from npm at setup
# time, corpus-qa copies them next to the page so it opens styled offline.
GX_ASSETS := $(VENV)/gx-assets
GX_NPM := bootstrap@4.3.1 jquery@3.7.1 popper.js@1.12.9 bootstrap-table@1.19.1 \
          bootstrap-datepicker@1.9.0 @forevolve/bootstrap-dark@1.1.0 @fortawesome/fontawesome-free@6.6.0

.PHONY: setup demo test test-fast explore browser lint bench clean

# pyproject.toml says which versions corpus-qa supports (ranges); constraints.txt pins the
# set it is tested with, so every machine and CI installs the same versions.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,spark]'
	@if command -v npm >/dev/null; then \
	  npm install --prefix $(GX_ASSETS) --no-save --no-audit --no-fund --legacy-peer-deps --silent $(GX_NPM); \
	else echo "note: npm missing; --gx-docs pages will need the network (apt-get install npm)"; fi
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP)

# Validate the seed corpus with the default suite. The seeds have known errors (a
# missing source, a missing date, boilerplate), so corpus-qa exits 1: that is the
# expected verdict, not a failure of the demo.
demo: setup
	@mkdir -p reports
	$(VENV)/bin/corpus-qa validate seeds --report reports --json reports/results.json \
	  --junit reports/junit.xml --summary-md reports/summary.md --gx-docs reports/gx; \
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
	$(PY) -m pytest -n 2 --dist loadgroup -q

explore: setup
	HYPOTHESIS_EXPLORE=1 $(PY) -m pytest -n 2 -q tests/property

test-fast: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not browser"

# ruff, as configured in pyproject.toml ([tool.ruff]); tests/e2e/test_lint.py runs the same.
lint: setup
	$(PY) -m ruff check .

bench: setup
	$(PY) benchmarks/default_suite.py

clean:
	rm -rf $(VENV) reports/*.html reports/*.json reports/*.png .pytest_cache .hypothesis
