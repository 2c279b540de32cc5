"""coordcheck: prove that OpenStack services can reach and authenticate to
their tooz coordination backend (Redis or Valkey behind Sentinel)."""

__version__ = "0.2.0"
