"""Every Sentinel consumer Kolla renders, one record each: the files it
reads, the options in them and how their values are parsed, the client it
runs inside its container, the finding that names its missing sentinel
password and the fix, the releases that render it, and what the lab needs
to fake it. The gate, the live client step, the engine and the lab read
these records: a new consumer is one record (plus its parse or client
routine when its kind is new).

    >>> CONSUMERS["octavia-jobboard"].path_inside
    '/etc/octavia/octavia.conf'
    >>> by_file("_9998-kolla-settings.py").missing_auth
    'HORIZON_NO_SENTINEL_AUTH'

Pure data, standard library only: it sits beside findings.py and url.py.
The kolla-ansible tables of each release (kolla/releases.py) are keyed by
the same names; a record points at them by name, project and parser
(`Consumer.options_in`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: what kind of value an option holds (and so which loader reads it)
TOOZ_URL = "tooz URL"                    # tooz's redis driver: [coordination] backend_url, coordination_url
REDIS_URL = "gnocchi redis_url"          # gnocchi.common.redis.get_client
JOBBOARD = "taskflow jobboard option"    # octavia's [task_flow], taskflow's redis jobboard
DJANGO_REDIS = "django_redis setting"    # horizon's CACHES, django_redis's SentinelClient
PROFILER_URL = "osprofiler URL"          # osprofiler's redis driver: [profiler] connection_string
URL_KINDS = (TOOZ_URL, REDIS_URL, PROFILER_URL)
#: the lab's image with the consumers' own libraries
CONSUMERS_IMAGE = "coordcheck/service:consumers"


@dataclass(frozen=True)
class Read:
    """One option a consumer reads: ``[section] option`` (django settings: the
    dictionary path, e.g. ``CACHES['default']`` / ``OPTIONS.CLIENT_CLASS``)."""

    section: str
    option: str
    kind: str


@dataclass(frozen=True)
class Fake:
    """How the lab runs the consumer (`coordcheck up --containers --consumers`):
    one service of it on one host, in ``image``, with its own client's loop;
    ``scenario`` is the `coordcheck break` that renders it as stock Kolla does
    (no sentinel password); ``packages`` go into the image (pip pins)."""

    host: str
    service: str
    scenario: str
    description: str
    image: str = CONSUMERS_IMAGE
    packages: tuple[str, ...] = ()
    no_deps: tuple[str, ...] = ()        # pip pins installed without their dependencies

    @property
    def container(self) -> str:
        return self.service.replace("-", "_")


@dataclass(frozen=True)
class Consumer:
    """One consumer. ``files`` are the names under
    ``<node_config_directory>/<service>/`` (the first is the config Kolla
    renders; ``{project}`` stands for each project), ``container_dir`` is
    where kolla_set_configs puts them inside the container."""

    name: str
    projects: tuple[str, ...]
    files: tuple[str, ...]
    container_dir: str
    reads: tuple[Read, ...]
    parser: str                          # the parse routine: releases.Option.parser, the gate's judge
    client: str                          # the handshake script's routine run inside the container
    missing_auth: str                    # the catalogue id when it sends the sentinels no password they need
    lacks: str                           # what its config then lacks, as evidence says it
    services: tuple[str, ...] = ()       # () every service of the project
    libraries: tuple[str, ...] = ()      # whose versions its client reports
    uses_redis: str = ""                 # grep -E: its rendered file reaches Redis/Valkey (live discovery)
    fix_file: str = ""                   # the override the fix goes into, under the config repo's config/
    fix_setting: str = ""                # what the fix sets there
    cause: str = ""                      # the catalogue's cause and fix, when ``missing_auth`` is its own
    fix: str = ""
    override: str = ""                   # a file of its own the operator adds beside Kolla's (gate and lab)
    switch: tuple[str, str] = ()         # (option, value it holds) when the consumer uses Redis/Valkey (gate)
    sentinel_password: str = "sentinel_password"  # the option (or URL query option) that carries it
    releases: str = ""                   # its name in the release tables (kolla/releases), if not its own: tooz
    rendered: str = "19.0.0-"            # the kolla-ansible point releases that render it: "A-B" or "A-"
    fake: Fake | None = None

    @property
    def project(self) -> str:
        return self.projects[0]

    @property
    def table(self) -> str:
        """Its name in the release tables: ``tooz`` for cinder ... ironic, else its own."""
        return self.releases or self.name

    @property
    def path_inside(self) -> str:
        """The config the container reads: ``/etc/octavia/octavia.conf``."""
        return f"{self.container_dir.format(project=self.project)}/{self.files[0].format(project=self.project)}"

    @property
    def live(self) -> bool:
        """Its own client runs in its containers (found by ``uses_redis``), not the tooz handshake."""
        return self.client != "tooz"

    def file_names(self) -> set[str]:
        """Every name its files take, for each of its projects."""
        return {f.format(project=p) for p in self.projects for f in self.files}

    def ini_options(self) -> set[tuple[str, str]]:
        return {(r.section, r.option) for r in self.reads if r.kind != DJANGO_REDIS}

    def url_options(self) -> set[tuple[str, str]]:
        return {(r.section, r.option) for r in self.reads if r.kind in URL_KINDS}

    def renders_in(self, version: str) -> bool:
        """Whether kolla-ansible ``version`` (a point release, or a major: its first) renders it.

        >>> CONSUMERS["ironic"].renders_in("20.6.0"), CONSUMERS["ironic"].renders_in("21")
        (True, False)
        """
        first, _, last = self.rendered.partition("-")
        wanted = _version(version)
        return _version(first) <= wanted and (not last or wanted <= _version(last))

    def options_in(self, release) -> list:
        """The release table's options of this consumer (kolla/releases: its projects, parser and options)."""
        return [o for o in release.options if o.project in self.projects and o.parser == self.parser
                and (o.section, o.option) in {(r.section, r.option) for r in self.reads}]

    def params(self) -> dict:
        """What the handshake script needs of the record, as JSON data (it imports nothing of coordcheck)."""
        return {"consumer": self.name, "client": self.client, "libraries": list(self.libraries)}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in (text.split(".") + ["0", "0"])[:3])


def _tooz(project: str, file: str = "", container_dir: str = "/etc/{project}", **more) -> Consumer:
    """A project whose services read ``[coordination] backend_url`` through tooz
    (the release tables' "tooz" consumer, one record per project)."""
    return Consumer(project, (project,), (file or "{project}.conf",), container_dir,
                    (Read("coordination", "backend_url", TOOZ_URL),), "tooz", "tooz", "SENTINEL_AUTH_MISSING",
                    "backend_url carries no sentinel_password", libraries=("tooz", "redis"),
                    fix_file="globals.yml", fix_setting="<flavor>_connection_string_extras: ...&sentinel_password=",
                    releases="tooz", **more)


#: what octavia's RedisTaskFlowDriver reads of [task_flow] (Kolla renders the first seven it needs, the
#: operator may set any): each judged by octavia's option types and taskflow's rules (checks/jobboard.py)
JOBBOARD_OPTIONS = ("enabled", "backend_hosts", "backend_port", "backend_username", "backend_password",
                    "redis_sentinel", "redis_sentinel_password", "backend_driver", "redis_backend_db",
                    "redis_sentinel_username", "redis_backend_ssl_options", "redis_sentinel_ssl_options")
PROFILED = ("cinder", "glance", "heat", "keystone", "magnum", "mistral", "neutron", "nova", "placement", "trove", "zun")

RECORDS = (
    _tooz("cinder"),
    _tooz("designate"),
    _tooz("masakari", services=("masakari-api",)),
    _tooz("mistral"),
    _tooz("ironic", "inspector.conf", "/etc/ironic-inspector", services=("ironic-inspector",),
          rendered="19.0.0-20.6.0"),
    Consumer("octavia-jobboard", ("octavia",), ("octavia.conf",), "/etc/octavia",
             tuple(Read("task_flow", f"jobboard_{o}", JOBBOARD) for o in JOBBOARD_OPTIONS),
             "taskflow", "jobboard_client", "JOBBOARD_NO_SENTINEL_AUTH",
             "[task_flow] sets no jobboard_redis_sentinel_password", libraries=("octavia", "taskflow"),
             uses_redis=r"^[[:space:]]*jobboard_enabled[[:space:]]*=[[:space:]]*[Tt]rue",
             fix_file="octavia.conf", fix_setting="[task_flow] jobboard_redis_sentinel_password",
             switch=("jobboard_enabled", "true"), sentinel_password="jobboard_redis_sentinel_password",
             cause="octavia's jobboard (taskflow's redis backend) sends the sentinels no password: Kolla renders no "
                   "[task_flow] jobboard_redis_sentinel_password, and the sentinels require one",
             fix="set [task_flow] jobboard_redis_sentinel_password = {{ <flavor>_master_password }} in "
                 "config/octavia.conf (octavia reads it from 15.0.0, Kolla 2024.2, LP#2100927), then kolla-ansible "
                 "reconfigure --tags octavia",
             fake=Fake("ctl2", "octavia-worker", "JOBBOARD_NO_SENTINEL_AUTH",
                       "octavia_worker as stock Kolla renders it: no [task_flow] jobboard_redis_sentinel_password",
                       packages=("octavia==19.0.0",))),
    Consumer("horizon", ("horizon",), ("_9998-kolla-settings.py", "_9999-custom-settings.py"),
             "/etc/openstack-dashboard/local_settings.d",
             (Read("", "SESSION_ENGINE", DJANGO_REDIS),
              *(Read("CACHES['default']", o, DJANGO_REDIS) for o in (
                  "BACKEND", "LOCATION", "OPTIONS.CLIENT_CLASS", "OPTIONS.CONNECTION_FACTORY", "OPTIONS.SENTINELS",
                  "OPTIONS.PASSWORD", "OPTIONS.CONNECTION_POOL_KWARGS.retry_on_timeout", "OPTIONS.IGNORE_EXCEPTIONS",
                  "OPTIONS.ignore_exc"))),
             "django", "django_redis_client", "HORIZON_NO_SENTINEL_AUTH",
             "CACHES['default']['OPTIONS'] has no SENTINEL_KWARGS password", libraries=("Django", "django-redis"),
             uses_redis="SentinelClient", fix_file="horizon/_9999-custom-settings.py",
             fix_setting="CACHES['default']['OPTIONS']['SENTINEL_KWARGS']", override="_9999-custom-settings.py",
             switch=("OPTIONS.CLIENT_CLASS", "SentinelClient"), sentinel_password="SENTINEL_KWARGS",
             cause="horizon's django_redis SentinelClient gets no SENTINEL_KWARGS from Kolla, so it sends the "
                   "sentinels no password, and they require one",
             fix="in config/horizon/_9999-custom-settings.py (Kolla templates it into horizon's local_settings.d after "
                 "its own): CACHES['default']['OPTIONS']['SENTINEL_KWARGS'] = {'password': "
                 "'{{ valkey_master_password }}'}, then kolla-ansible reconfigure --tags horizon; or "
                 "horizon_session_cache_backend: memcached",
             rendered="22.0.0-",
             fake=Fake("ctl3", "horizon", "HORIZON_NO_SENTINEL_AUTH",
                       "horizon as stock Kolla renders its cache: no SENTINEL_KWARGS", packages=("django-redis==7.0.0",))),
    Consumer("gnocchi", ("gnocchi",), ("gnocchi.conf",), "/etc/gnocchi",
             (Read("DEFAULT", "coordination_url", TOOZ_URL), Read("incoming", "redis_url", REDIS_URL)),
             "gnocchi", "gnocchi_client", "SENTINEL_AUTH_MISSING", "[incoming] redis_url carries no sentinel_password",
             libraries=("gnocchi", "oslo.config"),
             uses_redis=r"^[[:space:]]*(redis_url|coordination_url)[[:space:]]*=[[:space:]]*redis",
             fix_file="globals.yml", fix_setting="<flavor>_connection_string_extras: ...&sentinel_password=",
             fake=Fake("ctl1", "gnocchi-metricd", "SENTINEL_AUTH_MISSING_GNOCCHI",
                       "gnocchi_metricd's redis_url and coordination_url without sentinel_password",
                       no_deps=("gnocchi==4.7.1",))),
    Consumer("osprofiler", PROFILED, ("{project}.conf", "glance-api.conf"), "/etc/{project}",
             (Read("profiler", "connection_string", PROFILER_URL),), "osprofiler", "tooz", "SENTINEL_AUTH_MISSING",
             "[profiler] connection_string carries no sentinel_password",
             fix_file="globals.yml", fix_setting="<flavor>_connection_string_extras: ...&sentinel_password="),
)
CONSUMERS = {c.name: c for c in RECORDS}
#: the consumers whose own client runs inside their containers (live discovery by file)
LIVE = tuple(c for c in RECORDS if c.live)
#: every INI (section, option) a consumer reads, and those that hold a URL
INI_OPTIONS = frozenset(o for c in RECORDS for o in c.ini_options())
URL_OPTIONS = frozenset(o for c in RECORDS for o in c.url_options())
#: the lab's fakes, host -> consumer
FAKED = {c.fake.host: c for c in RECORDS if c.fake}


def by_file(name: str) -> Consumer | None:
    """The live consumer whose rendered config is the file ``name``."""
    return next((c for c in LIVE if c.files[0] == name), None)


def path_in_container(file_name: str, project: str) -> str:
    """Where a service's rendered config ``file_name`` lands in its container:
    its consumer's place (inspector.conf -> /etc/ironic-inspector/), else
    kolla_set_configs' ``/etc/<project>/<project>.conf``."""
    for c in RECORDS:
        if c.client == "tooz" and len(c.projects) == 1 and c.files[0].format(project=c.project) == file_name:
            return c.path_inside
    return f"/etc/{project}/{project}.conf"


def names(consumers=None) -> str:
    """``gnocchi, octavia and horizon``: the projects of ``consumers`` (the lab's fakes by default)."""
    projects = [c.project for c in (consumers if consumers is not None else FAKED.values())]
    return ", ".join(projects[:-1]) + (" and " if len(projects) > 1 else "") + projects[-1]
