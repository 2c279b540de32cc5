"""Pure functions from observations to findings: the servers (sentinels, data
nodes), the services' configs and clients, the service containers."""
