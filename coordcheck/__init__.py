"""coordcheck: prove that OpenStack services can reach and authenticate to
their tooz coordination backend (Redis or Valkey behind Sentinel).

PYTEST_DONT_REWRITE: `coordcheck gate` and `check` import this package
before they start pytest, which would warn on every run that it cannot
assertion-rewrite it (the checklist's test modules are rewritten all the same).
"""

__version__ = "0.2.0"
