"""Config repositories generated for the gate's fuzz (hypothesis strategies):
random YAML, INI and Jinja, and file types (folders, FIFOs, symlink loops,
devices, big and binary files) where the repository's files belong.

    place(repo / "etc/kolla/globals.yml", "fifo", yaml_content, ini_content)
"""

import os
import shutil
from pathlib import Path

import yaml
from hypothesis import strategies as st

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


def place(path: Path, kind: str, yaml_content: str, ini_content: str) -> None:
    """Put a file of ``kind`` at ``path``, replacing what an earlier change left there."""
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
