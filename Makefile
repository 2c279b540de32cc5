# make demo  - the checklist on a local authenticated Sentinel deployment
# make test  - the project's own tests (what CI runs)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)

DEBIAN_PACKAGES := redis-server redis-sentinel openssh-server openssh-client

.PHONY: demo test gate bench packages venv clean

# make gate CONFIGDIR=REPO/etc/kolla INVENTORY=REPO/multinode [VAULT=file] [JUNIT=file]
CONFIGDIR ?= examples/config-repos/healthy/etc/kolla
INVENTORY ?= examples/config-repos/healthy/multinode

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.installed

packages:
	@{ command -v redis-server && [ -x /usr/sbin/sshd ] && command -v ssh-keygen; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	  else echo "missing: sudo apt-get install $(DEBIAN_PACKAGES)" >&2; exit 1; fi; }

demo: packages venv
	$(BIN)/pytest

test: packages venv
	$(BIN)/pytest tests --doctest-modules coordcheck

gate: venv
	$(BIN)/pytest -m config --configdir $(CONFIGDIR) --inventory $(INVENTORY) \
	  $(if $(VAULT),--vault-password-file $(VAULT)) $(if $(JUNIT),--junitxml $(JUNIT))

bench: packages venv
	$(BIN)/python bench/run.py
	$(BIN)/python bench/gate.py

clean:
	rm -rf $(VENV) *.egg-info
