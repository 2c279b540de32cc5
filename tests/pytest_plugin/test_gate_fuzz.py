"""The gate over generated config repositories (hypothesis): random YAML,
INI and Jinja, sizes and file types (folders, FIFOs, symlink loops, devices)
where files belong. Whatever the repository, the gate ends with 0, 1 or 4,
prints no traceback and no password in any form, within bounded memory.
The gate runs in this process (pytest.main), a fixed number of examples."""

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coordcheck.secrets import forms
from tests.conftest import PROJECT

HEALTHY = PROJECT / "examples" / "config-repos" / "healthy"
PASSWORD = "8Uv6Y4mWcQqU3tXk2fZr"   # the healthy example's redis_master_password
#: Bounds of one example and of the whole process (a bomb costs minutes and gigabytes).
EXAMPLE_SECONDS, MAX_RSS_MB = 60.0, 1024

FRAGMENTS = ["redis://", "default:", "{{ redis_master_password }}", "@", "{{ api_interface_address }}", ":26379",
             "?sentinel=kolla", "&sentinel_fallback=h2:26379", "&sentinel_password={{ redis_master_password }}",
             "{{ 'x' * 10 ** 9 }}", "{{ ('a' * 1000) | replace('a', 'a' * 1000) }}", "{% for i in range(99999) %}",
             "{% endfor %}", "{{ x ~ x }}", "{{ undefined_var }}", "{{", "}}", "{%", "%}", "{{ 9 ** 999 }}",
             "{{ [1] * 10 ** 8 }}", "{{ 'a' | center(10 ** 9) }}", "{{ lipsum.__globals__ }}", "\x00", "é", "%",
             "{{ redis_connection_string_extras }}", "[", "]", "=", "\n", "\\", "'", '"', "&", "*a", "&a"]
text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=8).map("".join)
keys = st.sampled_from(["enable_redis", "redis_connection_string_extras", "openstack_release", "enable_cinder",
                        "kolla_internal_vip_address", "api_interface", "x", "loop_a", "loop_b", "enable_masakari"])
yaml_values = st.recursive(st.none() | st.booleans() | st.integers(-10, 10 ** 6) | text,
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                           max_leaves=12)
yaml_text = st.dictionaries(keys, yaml_values, max_size=6).map(lambda d: yaml.safe_dump(d, allow_unicode=True))
ini_text = st.lists(st.tuples(st.sampled_from(["coordination", "DEFAULT", "incoming", "x"]),
                              st.sampled_from(["backend_url", "coordination_url", "redis_url", "debug", "y"]), text),
                    max_size=5).map(lambda rows: "".join(f"[{s}]\n{o} = {v}\n" for s, o, v in rows))
KINDS = ["text", "folder", "fifo", "loop", "dev-zero", "big", "binary"]
PLACES = ["etc/kolla/globals.yml", "etc/kolla/passwords.yml", "etc/kolla/globals.d/extra.yml",
          "etc/kolla/config/cinder.conf", "etc/kolla/config/global.conf", "etc/kolla/config/masakari.conf",
          "etc/kolla/config/cinder/ctl1/cinder.conf", "etc/kolla/config/redis/redis-sentinel.conf", "multinode"]
changes = st.lists(st.tuples(st.sampled_from(PLACES), st.sampled_from(KINDS), yaml_text, ini_text), max_size=4)


def _place(path: Path, kind: str, yaml_content: str, ini_content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):  # a file, link or FIFO an earlier change left
        path.unlink()
    if kind == "text":
        path.write_text(ini_content if path.suffix == ".conf" else yaml_content)
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "big":
        path.write_text(("# filler\n" * 100_000) + (ini_content if path.suffix == ".conf" else yaml_content))
    else:
        path.write_bytes(os.urandom(64))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=changes, globals_extra=yaml_text, override=ini_text)
def test_the_gate_on_a_generated_repo_ends_cleanly(capfd, changes, globals_extra, override):
    root = Path(tempfile.mkdtemp(prefix="coordcheck-fuzz-"))
    try:
        repo = root / "repo"
        shutil.copytree(HEALTHY, repo)
        globals_yml = repo / "etc/kolla/globals.yml"
        globals_yml.write_text(globals_yml.read_text() + "\n" + globals_extra.replace("---\n", ""))
        (repo / "etc/kolla/config/cinder.conf").write_text(override)
        for place, kind, yaml_content, ini_content in changes:
            _place(repo / place, kind, yaml_content, ini_content)
        capfd.readouterr()
        started = time.monotonic()
        code = pytest.main(["-q", "-p", "no:cacheprovider", "-m", "config", "--configdir", str(repo / "etc/kolla"),
                            "--inventory", str(repo / "multinode"), "--junitxml", str(root / "junit.xml")])
        seconds = time.monotonic() - started
        out, err = capfd.readouterr()
        junit = (root / "junit.xml").read_text(errors="replace") if (root / "junit.xml").is_file() else ""
    finally:
        shutil.rmtree(root, ignore_errors=True)
    output = out + err + junit
    event(f"exit {int(code)}")   # --hypothesis-show-statistics: how the examples ended
    assert int(code) in (0, 1, 4), output[-3000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    leaked = [f for f in forms(PASSWORD) if f in output]
    assert not leaked, leaked
    assert seconds < EXAMPLE_SECONDS, seconds
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_MB * 1024
