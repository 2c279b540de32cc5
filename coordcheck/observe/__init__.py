"""Observing a deployment: testinfra hosts and their container engines, bounded
probes of sentinels and data nodes, the tooz handshake, failovers, service configs
on hosts. Reads Kolla (`coordcheck.kolla`); judges nothing (`coordcheck.checks`)."""
