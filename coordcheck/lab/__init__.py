"""The local cloud: an authenticated Sentinel deployment as processes, SSH hosts,
containers or Compose, its scenarios and faults. Uses `coordcheck.kolla` and
`coordcheck.observe` only."""
