"""The ``[coordination] backend_url`` Kolla would render for each service on
each host, from a config repository alone (no host, no network): Kolla's
``<flavor>_connection_string`` from the inventory, passwords.yml and
``<flavor>_connection_string_extras``, then the operator's overrides in
Kolla's merge order. Templates go through Jinja, as Kolla's merge_configs does.

    renderer = Renderer(target)
    [(c.service, c.path) for c in renderer.configs("ctl1")]
    # -> [('cinder-volume', '/repo/etc/kolla/config/cinder.conf:3'), ...]
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from functools import lru_cache
from pathlib import Path

import jinja2
import jinja2.sandbox
from jinja2.runtime import Context

from coordcheck import kolla
from coordcheck.kolla import KollaError, backend_url_of, truthy
from coordcheck.secrets import Secret
from coordcheck.kolla.service_config import ServiceConfig, parse_url_into
from coordcheck.kolla.target import Target
from coordcheck.kolla.variables import Unsafe

#: How deep templates may reference templates (a loop would never end).
MAX_DEPTH = 20
#: Wall-time bound of one template (a config under review may be hostile).
TEMPLATE_SECONDS = 2.0
#: Largest string or list an operator in a template may build.
MAX_BUILT = 1_000_000


class TemplateTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt a template that runs longer than ``seconds`` (main thread)."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum, frame):
        raise TemplateTimeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LazyContext(Context):
    """Variables that are templates themselves are rendered when a template
    reads them, as Ansible does; ``!unsafe`` values never are."""

    def resolve_or_missing(self, key: str):
        value = super().resolve_or_missing(key)
        if isinstance(value, str) and not isinstance(value, Unsafe) and ("{{" in value or "{%" in value):
            return self.environment.render_nested(value, self.get_all(), key)
        return value


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja for untrusted text (a config repository under review): no
    attribute access to internals, no mutation, no code; the filters Kolla
    configs use."""

    context_class = LazyContext
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator: str, left, right):
        """``*`` and ``**`` bounded: no memory or CPU bomb from one line."""
        if operator == "**" and abs(right) > 64:
            raise jinja2.sandbox.SecurityError("an exponent larger than 64")
        if operator == "*" and isinstance(left, (str, list)) and isinstance(right, int) and \
                len(left) * right > MAX_BUILT:
            raise jinja2.sandbox.SecurityError(f"building a value longer than {MAX_BUILT}")
        if operator == "*" and isinstance(right, (str, list)) and isinstance(left, int) and \
                len(right) * left > MAX_BUILT:
            raise jinja2.sandbox.SecurityError(f"building a value longer than {MAX_BUILT}")
        return super().call_binop(context, operator, left, right)

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
        for name in ("cycler", "joiner", "lipsum"):
            self.globals.pop(name, None)
        self.filters.update(bool=truthy, ternary=lambda v, yes, no=None: yes if v else no,
                            mandatory=lambda v: v, regex_replace=lambda v, p, r="": re.sub(p, r, str(v)))
        self.depth = threading.local()

    def render_nested(self, text: str, variables: dict, key: str) -> str:
        depth = getattr(self.depth, "value", 0)
        if depth >= MAX_DEPTH:
            raise KollaError(f"{key}: templates nest deeper than {MAX_DEPTH} levels (a loop?)")
        self.depth.value = depth + 1
        try:
            return self.from_string(text).render(variables)
        finally:
            self.depth.value = depth


def option_line(text: str, section: str, option: str) -> int | None:
    """1-based line of the last ``option =`` in ``[section]`` of an INI text."""
    current, found = None, None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            current = header.group(1).strip()
        elif current == section and re.match(rf"\s*{re.escape(option)}\s*[=:]", line):
            found = number
    return found


def yaml_key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"{re.escape(key)}\s*:", line):
            return number
    return None


class Renderer:
    """Renders the coordination URLs of a Kolla config repository."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.configdir = target.configdir
        self.globals_file = self.configdir / "globals.yml"
        self.globals_text = self.globals_file.read_text() if self.globals_file.exists() else ""
        self.env = Sandbox()
        self.refused: dict[str, str] = {}
        self.compiled = lru_cache(maxsize=4096)(self.env.from_string)
        self.read_override = lru_cache(maxsize=None)(self._read_override)
        self.shared_url = lru_cache(maxsize=None)(self._shared_url)
        self.context = {**target.globals_data, **target.passwords_data}
        self.default = self._default_url()
        if self.default:
            self.context[f"{target.flavor.name}_connection_string"] = self.default[0].reveal()

    # -- templates --------------------------------------------------------------
    def template(self, text: str, where: str, host: str | None = None) -> str:
        """``text`` rendered in the sandbox (``!unsafe`` text as it is)."""
        if isinstance(text, Unsafe) or ("{{" not in text and "{%" not in text):
            return str(text)
        if text in self.refused:  # hostile once, hostile for every host: not run again
            raise KollaError(self.refused[text])
        try:
            return self._render(text, where, host)
        except KollaError as exc:
            if "nothing was run" in str(exc) or "stopped" in str(exc):
                self.refused[text] = str(exc)
            raise

    def _render(self, text: str, where: str, host: str | None) -> str:
        context = self.context if host is None else {**self.target.inventory.host_vars(host), **self.context}
        try:
            with time_limit(TEMPLATE_SECONDS):
                return self.compiled(text).render(context)
        except TemplateTimeout:
            raise KollaError(f"{where}: the template runs longer than {TEMPLATE_SECONDS:.0f} s; stopped") from None
        except jinja2.UndefinedError as exc:
            raise KollaError(f"{where}: {exc.message}") from None
        except jinja2.sandbox.SecurityError as exc:
            raise KollaError(f"{where}: the template tries something a config template may not do "
                             f"({exc}); nothing was run") from None
        except jinja2.TemplateError as exc:
            raise KollaError(f"{where}: template error: {exc.__class__.__name__}: {exc}") from None
        except KollaError as exc:
            raise KollaError(f"{where}: {exc}") from None
        except (TypeError, ValueError, ArithmeticError, re.error) as exc:
            raise KollaError(f"{where}: the template fails: {exc.__class__.__name__}: {exc}") from None

    def value(self, key: str, default: str) -> tuple[str, bool]:
        """A globals.yml value, templated; and whether globals.yml set it."""
        if key not in self.target.globals_data:
            return default, False
        raw = self.target.globals_data[key]
        if not isinstance(raw, str):
            raise KollaError(f"globals file {self.globals_file}: {key} is not a string")
        return self.template(raw, f"globals file {self.globals_file}: {key}"), True

    def _default_url(self) -> tuple[Secret, str] | None:
        """Kolla's ``<flavor>_connection_string`` and where it comes from;
        None when the flavor is not enabled (then no service gets one)."""
        flavor = self.target.flavor
        if not truthy(self.target.globals_data.get(flavor.enable_key)):
            return None
        whole, overridden = self.value(f"{flavor.name}_connection_string", "")
        if overridden:
            return Secret(whole, by_value=False), self._globals_source(f"{flavor.name}_connection_string")
        extras, overridden = self.value(flavor.extras_key, kolla.DEFAULT_EXTRAS)
        addresses = [self.target.inventory.address(h) for h in self.target.backend_hosts]
        url = kolla.connection_string(flavor, addresses, self.target.password, extras)
        source = self._globals_source(flavor.extras_key) if overridden else \
            f"{self.globals_file} (Kolla's default {flavor.name}_connection_string)"
        return url, source

    def _globals_source(self, key: str) -> str:
        line = yaml_key_line(self.globals_text, key)
        return f"{self.globals_file}:{line} ({key})" if line else f"{self.globals_file} ({key})"

    # -- overrides ----------------------------------------------------------------
    def override_files(self, host: str, service: str, project: str) -> list[Path]:
        """Kolla's merge order: later files win, option by option."""
        config = self.configdir / "config"
        return [config / "global.conf", config / f"{project}.conf", config / project / f"{service}.conf",
                config / project / host / f"{project}.conf"]

    def _read_override(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise KollaError(f"override {path} cannot be read: {exc.__class__.__name__}") from None

    def _shared_url(self, path: Path) -> tuple[str, int | None] | None | KollaError:
        """An override's URL when it needs no host variables (rendered once
        for every host), else the error that says it does."""
        text = self.read_override(path)
        if text is None or "backend_url" not in text:
            return None
        try:
            return self._url_in(path, text, host=None)
        except KollaError as exc:
            return exc

    def _override_url(self, path: Path, host: str) -> tuple[str, int | None] | None:
        shared = self.shared_url(path)
        if not isinstance(shared, KollaError):
            return shared
        return self._url_in(path, self.read_override(path), host)  # needs host variables

    def _url_in(self, path: Path, text: str, host: str | None) -> tuple[str, int | None] | None:
        """The URL an override file sets (templated) and the line that sets it."""
        url = backend_url_of(self.template(text, f"override {path}", host), str(path))
        return None if url is None else (url, option_line(text, "coordination", "backend_url"))

    # -- results ------------------------------------------------------------------
    def effective(self, host: str, service: str, project: str) -> ServiceConfig | None:
        """The URL ``service`` gets on ``host`` and the file (and line) that sets it."""
        url = self.default[0].reveal() if self.default else None
        source = self.default[1] if self.default else None
        for path in self.override_files(host, service, project):
            try:
                found = self._override_url(path, host)
            except KollaError as exc:
                return ServiceConfig(host, service, project, str(path), None, error=str(exc))
            if found:
                url, line = found
                source = f"{path}:{line}" if line else str(path)
        if url is None:
            return None
        return parse_url_into(ServiceConfig(host, service, project, source, None), url)

    def configs(self, host: str) -> list[ServiceConfig]:
        """Every coordination service config Kolla would render on ``host``."""
        inventory, found = self.target.inventory, []
        for project, services in kolla.KOLLA_COORDINATION.items():
            if not truthy(self.target.globals_data.get(f"enable_{project}")):
                continue
            for service in services:
                if inventory.in_group(host, service):
                    config = self.effective(host, service, project)
                    if config is not None:
                        found.append(config)
        return found


def sentinel_override_files(target: Target) -> list[Path]:
    flavor = target.flavor
    folder = target.configdir / "config" / flavor.group
    return [folder / f"{flavor.name}-sentinel.conf", folder / "sentinel.conf"]


def sentinels_require_password(target: Target, setting: str = "auto") -> tuple[bool, str]:
    """``required``/``none``, or ``auto``: a ``requirepass`` in the sentinel
    config override says the sentinels have a password (stock Kolla: none).
    Returns the answer and why."""
    if setting != "auto":
        return setting == "required", f"--sentinel-auth={setting}"
    for path in sentinel_override_files(target):
        text = path.read_text(errors="replace") if path.is_file() else ""
        found = re.search(r"^\s*requirepass\s+(?!\"\"|'')\S", text, re.MULTILINE)  # requirepass "" is none
        if found:
            return True, f"{path}:{text[:found.start()].count(chr(10)) + 1} sets requirepass for the sentinels"
    return False, f"no requirepass in {sentinel_override_files(target)[0]} (stock Kolla sentinels)"
