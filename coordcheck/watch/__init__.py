"""``coordcheck watch``: the live checklist on a timer, as a monitor that
node_exporter's textfile collector serves to Prometheus (`loop`; its rounds
run in `worker`), and the
Prometheus alerting rules on its metrics (`rules`); the systemd unit that runs
it on a deploy host ships beside them (``coordcheck-watch.service``)."""
