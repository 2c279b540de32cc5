"""octavia's jobboard judged the way octavia and taskflow load it, without
connecting anywhere:

1. octavia reads ``[task_flow]`` with its own option types: the options of
   octavia/common/config.py ``task_flow_opts`` registered here with real
   oslo.config, which parses a file of the rendered values (quotes stripped,
   an empty value kept as '' or []) and raises what octavia would log;
2. octavia's ``RedisTaskFlowDriver.job_board``
   (octavia/controller/worker/v2/taskflow_jobboard_driver.py, 16.0.0+: it also
   passes ``db``) builds taskflow's conf: ``hosts[0]``, the port, the other
   hosts as ``sentinel_fallbacks``, the sentinel name, the sentinel kwargs;
3. taskflow's ``RedisJobBoard._make_client`` (taskflow/jobs/backends/impl_redis.py:
   ``CLIENT_CONF_TRANSFERS``' converters, ``_parse_sentinel``, ``_filter_ssl_options``)
   turns it into a redis-py client, built here for real (``Sentinel(...).master_for``
   connects nothing until a command).

Steps 2 and 3 are modelled from that source, not imported: taskflow's public
``fetch`` checks nothing octavia's types have not, the client it builds is
private, and taskflow (networkx, jsonschema, pydot ...) would cost an install
of its own.

    >>> judge_board((("jobboard_enabled", "true"), ("jobboard_backend_hosts", "10.0.0.1,10.0.0.2"),
    ...              ("jobboard_backend_port", "26379"), ("jobboard_redis_sentinel", "kolla"))).kind
    'sentinel'
    >>> print(judge_board((("jobboard_enabled", "true"), ("jobboard_backend_port", "abc"))).error)  # doctest: +ELLIPSIS
    ConfigFileValueError: Value for option jobboard_backend_port from /etc/octavia/octavia.conf is not valid: ...'abc'
"""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from oslo_config import cfg
from oslo_utils import netutils, strutils
from redis import sentinel as redis_sentinel

from coordcheck.checks.loading import Verdict

#: where octavia reads them (what its errors name)
CONFIG = "/etc/octavia/octavia.conf"
_SSL = {"ssl": False, "ssl_keyfile": None, "ssl_certfile": None, "ssl_ca_certs": None, "ssl_cert_reqs": "required"}
#: octavia's [task_flow] jobboard options, as octavia/common/config.py declares them (types, defaults, choices)
TASK_FLOW = (
    cfg.BoolOpt("jobboard_enabled", default=False),
    cfg.StrOpt("jobboard_backend_driver", default="redis_taskflow_driver",
               choices=["redis_taskflow_driver", "zookeeper_taskflow_driver", "etcd_taskflow_driver"]),
    cfg.ListOpt("jobboard_backend_hosts", default=["127.0.0.1"]),
    cfg.PortOpt("jobboard_backend_port", default=6379),
    cfg.StrOpt("jobboard_backend_username"),
    cfg.StrOpt("jobboard_backend_password", secret=True),
    cfg.StrOpt("jobboard_backend_namespace", default="octavia_jobboard"),
    cfg.IntOpt("jobboard_redis_backend_db", default=0, min=0),
    cfg.StrOpt("jobboard_redis_sentinel", default=None),
    cfg.StrOpt("jobboard_redis_sentinel_username"),
    cfg.StrOpt("jobboard_redis_sentinel_password", secret=True),
    cfg.DictOpt("jobboard_redis_backend_ssl_options", default=dict(_SSL)),
    cfg.DictOpt("jobboard_redis_sentinel_ssl_options", default=dict(_SSL)),
)
#: taskflow's RedisJobBoard.CLIENT_CONF_TRANSFERS: what it passes on to redis-py, through which converter
TRANSFERS = (("host", str), ("port", int), ("username", str), ("password", str), ("encoding", str),
             ("encoding_errors", str), ("socket_timeout", float), ("socket_connect_timeout", float),
             ("unix_socket_path", str), ("ssl", strutils.bool_from_string), ("ssl_keyfile", str),
             ("ssl_certfile", str), ("ssl_cert_reqs", str), ("ssl_ca_certs", str), ("db", int))
#: octavia's other jobboard drivers (stevedore's octavia.worker.jobboard_driver)
OTHER_BOARDS = {"zookeeper_taskflow_driver": "ZooKeeper (taskflow's zookeeper jobboard, kazoo)",
                "etcd_taskflow_driver": "etcd (taskflow's etcd jobboard)"}


@lru_cache(maxsize=1)
def loader() -> str:
    return f"octavia's [task_flow] (oslo.config {version('oslo.config')}) and taskflow's jobboard"


@lru_cache(maxsize=256)
def octavia_reads(values: tuple[tuple[str, str], ...]) -> dict | tuple[str, str]:
    """``[task_flow]`` as octavia reads these (option, raw value) lines: option -> value, or
    (option, oslo.config's error) for the first option octavia's types refuse."""
    with tempfile.TemporaryDirectory(prefix="coordcheck-octavia-") as folder:
        path = Path(folder) / "octavia.conf"
        # a value over several lines stays one value (continuation lines), never a new option or section
        path.write_text("[task_flow]\n" + "".join(f"{name} = " + raw.replace("\n", "\n ") + "\n"
                                                  for name, raw in values))
        conf = cfg.ConfigOpts()
        conf.register_opts(TASK_FLOW, group="task_flow")
        conf(args=[], project="octavia", default_config_files=[str(path)], default_config_dirs=[], use_env=False)
        read = {}
        for opt in TASK_FLOW:
            try:
                read[opt.name] = getattr(conf.task_flow, opt.name)
            except cfg.Error as exc:  # ConfigFileValueError: what octavia logs, and its worker stops
                text = re.sub(r"LocationInfo\(location=<[^>]*>, detail='([^']*)'\)", r"\1", str(exc))
                text = text.replace(str(path), CONFIG)
                return opt.name, f"{exc.__class__.__name__}: {text}"
    return read


def _filter_ssl(options: dict) -> dict:
    """taskflow's _filter_ssl_options: without ssl, no ssl_* option goes on."""
    return options if options.get("ssl", False) else {k: v for k, v in options.items() if not k.startswith("ssl_")}


def _blank(raw: dict[str, str], name: str) -> bool:
    return name in raw and not raw[name].strip()


@lru_cache(maxsize=256)
def judge_board(values: tuple[tuple[str, str], ...]) -> Verdict:
    """What octavia's worker makes of these rendered ``[task_flow]`` (option, value) pairs."""
    raw, who = dict(values), loader()
    read = octavia_reads(values)
    if isinstance(read, tuple):
        return Verdict("blank" if _blank(raw, read[0]) else "not_loadable", who, error=read[1], options=(read[0],))
    if not read["jobboard_enabled"]:
        return Verdict("skipped", who)
    hosts, port, driver = read["jobboard_backend_hosts"], read["jobboard_backend_port"], read["jobboard_backend_driver"]
    if driver in OTHER_BOARDS:
        return Verdict("other_backend", who, error=f"{driver}: {OTHER_BOARDS[driver]} at {','.join(hosts)} port "
                                                   f"{port}", options=("jobboard_backend_driver",))
    try:  # octavia's job_board, then taskflow's _make_client, as they run at the worker's first job
        conf = {"host": hosts[0], "port": port, "db": read["jobboard_redis_backend_db"],
                "sentinel": read["jobboard_redis_sentinel"],
                "sentinel_fallbacks": ["%s:%d" % (netutils.escape_ipv6(h), port) for h in hosts[1:]]}
        conf |= {k: read[f"jobboard_backend_{k}"] for k in ("username", "password") if read[f"jobboard_backend_{k}"]
                 is not None} | read["jobboard_redis_backend_ssl_options"]
        kwargs = dict(read["jobboard_redis_sentinel_ssl_options"])
        kwargs |= {"ssl": strutils.bool_from_string(kwargs["ssl"])} if "ssl" in kwargs else {}
        kwargs |= {k: read[f"jobboard_redis_sentinel_{k}"] for k in ("username", "password")
                   if read[f"jobboard_redis_sentinel_{k}"] is not None}
        client = {k: convert(conf[k]) for k, convert in TRANSFERS if k in conf}
    except (IndexError, TypeError, ValueError) as exc:
        name = "jobboard_backend_hosts" if not hosts else "jobboard_backend_port"
        return Verdict("blank" if _blank(raw, name) else "not_loadable", who,
                       error=f"{exc.__class__.__name__}: {exc}", options=(name,))
    if conf["sentinel"] is None:
        return Verdict("bypass", who, options=("jobboard_redis_sentinel",), value=f"{client['host']}:{client['port']}")
    if not conf["sentinel"]:
        return Verdict("blank", who, options=("jobboard_redis_sentinel",),
                       error="taskflow asks the sentinels for the master of '': MasterNotFoundError: No master found "
                             "for ''")
    try:
        sentinels = [(client.pop("host"), client.pop("port"))] + [_parse_sentinel(f) for f in conf["sentinel_fallbacks"]]
        redis_sentinel.Sentinel(sentinels, sentinel_kwargs=_filter_ssl(kwargs),
                                **_filter_ssl(client)).master_for(conf["sentinel"])
    except (TypeError, ValueError) as exc:
        return Verdict("not_loadable", who, error=f"{exc.__class__.__name__}: {exc}", options=("jobboard_backend_hosts",))
    return Verdict("sentinel", who, value=",".join(f"{h}:{p}" for h, p in sentinels))


def _parse_sentinel(server: str) -> tuple[str, int]:
    """taskflow's RedisJobBoard._parse_sentinel."""
    host, port = netutils.parse_host_port(server)
    if host is None or port is None:
        raise ValueError("Malformed sentinel server format")
    return host, port
