"""The oracle: render a Kolla config repo with a real kolla-ansible installation.

The ``merge_configs``/``template`` tasks of each role's ``tasks/config.yml`` whose template
mentions a Sentinel consumer run verbatim through that installation's ``ansible-playbook`` on
localhost, under the host patterns of its ``site.yml`` plays, with its group_vars, role defaults,
filter and action plugins, and the CLI's ``-e @globals.yml -e @passwords.yml -e @globals.d/*``.
Nothing is contacted and nothing is written outside a temporary directory.
"""
from __future__ import annotations

import argparse, getpass, grp, json, os, re, shutil, sys, tempfile, time
from dataclasses import asdict
from pathlib import Path

import yaml

from coordcheck.kolla.render.venvs import KollaAnsibleError, _run, install  # noqa: F401 (the oracle's API)
from coordcheck.kolla.render.values import OPTIONS, Record, Rendering, _parse, mask, secrets  # noqa: F401
from coordcheck.kolla.repo import globals_d

MARKER = re.compile(r"coordination|profiler|redis|valkey|jobboard|sentinel", re.I)
MODULES = {"merge_configs", "template", "ansible.builtin.template"}
READ_ONLY = {f"{p}{m}" for p in ("", "ansible.builtin.") for m in ("stat", "find", "set_fact")}
GROUP_PLAY = "Group hosts based on configuration"
# What octavia's get_resources_info.yml looks up in the running cloud (through kolla_toolbox): stubbed.
CLOUD = "coordcheck-cloud-lookup"
CLOUD_LOOKUPS = {"project_info": {"projects": [{"id": CLOUD}]}, "network_info": {"id": CLOUD},
                 "amphora_flavor_info": {"id": CLOUD}, "sec_grp_info": {"results": [{"security_group": {"id": CLOUD},
                     "item": {"name": "{{ octavia_amp_security_groups['mgmt-sec-grp'].name }}"}}]}}
IFACE = "api_interface | replace('-', '_')"
FACTS_PLAY = {  # per host without cached facts: the api_interface's address from the inventory
    "name": "coordcheck: facts", "hosts": "all", "gather_facts": False, "tasks": [
        {"copy": {"content": "{{ coordcheck_addresses[inventory_hostname][1] }}",
                  "dest": "{{ coordcheck_work }}/synthesized/{{ inventory_hostname }}"},
         "when": f"ansible_facts[{IFACE}] is not defined"},
        {"set_fact": {"cacheable": True, f"ansible_{{{{ {IFACE} }}}}": {
            "ipv4": {"address": "{{ coordcheck_addresses[inventory_hostname][0] }}"}},
            "ansible_hostname": "{{ inventory_hostname_short }}", "ansible_nodename": "{{ inventory_hostname }}",
            "ansible_fqdn": "{{ inventory_hostname }}", "ansible_processor_vcpus": 4, "ansible_memtotal_mb": 16384,
            "ansible_os_family": "Debian", "ansible_distribution": "Debian", "ansible_architecture": "x86_64",
            "ansible_distribution_release": "bookworm", "ansible_distribution_major_version": "12",
            "ansible_distribution_version": "12", "ansible_system": "Linux", "ansible_machine": "x86_64"},
         "when": f"ansible_facts[{IFACE}] is not defined"}]}
# merge_configs and template end in the `copy` action, which runs the copy module per file (slow):
# this one writes what they rendered straight to dest, and refuses any dest outside the work directory.
COPY_ACTION = """
import os, shutil
from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

class ActionModule(ActionBase):
    def run(self, tmp=None, task_vars=None):
        args, dest = self._task.args, os.path.realpath(self._task.args["dest"])
        if not dest.startswith(os.environ["COORDCHECK_WORK"] + os.sep):
            raise AnsibleError("coordcheck: refusing to write outside the work directory: " + dest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if "content" in args:
            with open(dest, "w") as f:
                f.write(str(args["content"]))
        else:
            shutil.copyfile(args["src"], dest)
        return {"changed": True, "dest": dest, "invocation": {"module_args": {}}}
"""


# --- rendering ----------------------------------------------------------------

def _consumer_tasks(role: Path) -> list:
    """The role's config tasks, verbatim and in order, that write a file whose template names a
    consumer, and the read-only ones (stat/find of overrides, set_fact) whose results they use."""
    try:
        tasks = [t for t in yaml.safe_load((role / "tasks/config.yml").read_text()) or [] if isinstance(t, dict)]
    except (OSError, yaml.YAMLError):
        return []
    keep, text = set(), ""
    for i, t in enumerate(tasks):
        mod = next((m for m in MODULES if m in t), None)
        names = re.findall(r"([\w.\-]+\.j2)\b", json.dumps([t.get(mod), t.get("with_first_found")])) if mod else []
        used = [f.read_text() for f in (role / "templates" / n for n in names) if f.is_file()]
        if any(MARKER.search(u) for u in used):
            keep.add(i)
            text += json.dumps(t) + "".join(used)
    while True:  # the read-only tasks that define a name the kept ones use, to a fixpoint
        words = set(re.findall(r"\w+", text))
        more = [i for i, t in enumerate(tasks) if i not in keep and READ_ONLY & set(t) and words & (
            {t.get("register")} | set(t.get("set_fact") or t.get("ansible.builtin.set_fact") or {}))]
        if not more:
            return [tasks[i] for i in sorted(keep)] if keep else []
        keep.update(more)
        text += json.dumps([tasks[i] for i in more])


def _plays(share: Path, roles: set, playbook: str = "site.yml") -> list:
    """site.yml's grouping play, and its plays of the consumer roles with the roles replaced by our tasks."""
    out = []
    for play in yaml.safe_load((share / playbook).read_text()) or []:
        if play.get("import_playbook", "gather-facts.yml") != "gather-facts.yml":
            out += _plays(share, roles, play["import_playbook"])
        elif play.get("name") == GROUP_PLAY:
            out.append(play)
        elif names := [r["role"] if isinstance(r, dict) else r for r in play.get("roles", []) if
                       (r["role"] if isinstance(r, dict) else r) in roles]:
            out.append({"name": play.get("name", ""), "hosts": play["hosts"], "gather_facts": False,
                        "tasks": [{"include_role": {"name": n, "tasks_from": "coordcheck.yml"}} for n in names]})
    return out


def _mirror(src: Path, dst: Path, skip=()) -> None:
    dst.mkdir(parents=True)
    for entry in src.iterdir():
        if entry.name not in skip:
            (dst / entry.name).symlink_to(entry)


def _tree(share: Path, tree: Path) -> set:
    """A shadow of the ansible dir (symlinks), with tasks/coordcheck.yml in each consumer role."""
    _mirror(share, tree, ("roles", "action_plugins"))
    _mirror(share / "action_plugins", tree / "action_plugins")
    (tree / "action_plugins/copy.py").write_text(COPY_ACTION)
    _mirror(share / "roles", tree / "roles")
    roles = set()
    for role in sorted((share / "roles").iterdir()):
        if tasks := _consumer_tasks(role):
            roles.add(role.name)
            (tree / "roles" / role.name).unlink()
            _mirror(role, tree / "roles" / role.name, ("tasks",))
            _mirror(role / "tasks", tree / "roles" / role.name / "tasks")
            (tree / "roles" / role.name / "tasks/coordcheck.yml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    return roles


def _placeholders(share: Path) -> dict:
    """Every key of the release's passwords.yml as `coordcheck-unset-<key>` (yours override them),
    and octavia's cloud look-ups."""
    def fill(key, v):
        return {k: fill(k, x) for k, x in v.items()} if isinstance(v, dict) else v or f"coordcheck-unset-{key}"
    stock = yaml.safe_load((share.parent / "etc_examples/kolla/passwords.yml").read_text()) or {}
    return {k: fill(k, v) for k, v in stock.items()} | CLOUD_LOOKUPS


def _addresses(inv: dict) -> dict:
    """host -> (address, how) from the inventory: api_interface_address, else ansible_host, else the name."""
    hostvars = inv.get("_meta", {}).get("hostvars", {})
    hosts = {h for g in inv.values() if isinstance(g, dict) for h in g.get("hosts", [])} | set(hostvars)
    out = {}
    for host in sorted(hosts):
        hv = hostvars.get(host, {})
        var = next((v for v in ("api_interface_address", "ansible_host") if hv.get(v)), None)
        out[host] = (str(hv[var]), f"synthesized from {var}") if var else (host, "synthesized from the name")
    return out


def render(kolla_ansible: Path, configdir: Path, inventory: Path, vault_password_file: Path | None = None,
           facts: Path | None = None, keep: Path | None = None) -> Rendering:
    """Render every consumer file per host x service with real kolla-ansible, and parse the options."""
    venv, configdir, inventory = (Path(p).resolve() for p in (kolla_ansible, configdir, inventory))
    share, start = venv / "share/kolla-ansible/ansible", time.monotonic()
    if not (share / "site.yml").exists():
        raise KollaAnsibleError(f"{venv}: no kolla-ansible installation (no {share}/site.yml)")
    release = _run([venv / "bin/python", "-c", "import importlib.metadata as m; print(m.version('kolla-ansible'))"],
                   f"{venv}: kolla-ansible version").stdout.strip()
    with tempfile.TemporaryDirectory(prefix="coordcheck-kolla-") as tmp:
        work = Path(keep or tmp).resolve()
        work.mkdir(parents=True, exist_ok=True)
        if keep and any(work.iterdir()):
            raise KollaAnsibleError(f"{work}: not empty")
        roles = _tree(share, work / "ansible")
        plays = _plays(share, roles)
        if not any(p.get("name") == GROUP_PLAY for p in plays):
            raise KollaAnsibleError(f"{share}/site.yml: no play '{GROUP_PLAY}'")
        (work / "ansible/coordcheck.yml").write_text(yaml.safe_dump([FACTS_PLAY] + plays, sort_keys=False))
        (work / "synthesized").mkdir()
        shutil.copytree(facts, work / "facts") if facts else (work / "facts").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        env.update(PATH=f"{venv}/bin:{env.get('PATH', '')}", COORDCHECK_WORK=str(work),
                   ANSIBLE_COLLECTIONS_PATH=str(venv / "collections"), ANSIBLE_CACHE_PLUGIN="jsonfile",
                   ANSIBLE_CACHE_PLUGIN_CONNECTION=str(work / "facts"), ANSIBLE_CACHE_PLUGIN_TIMEOUT="0",
                   ANSIBLE_GATHERING="explicit", ANSIBLE_FORKS="8", ANSIBLE_PIPELINING="1",
                   ANSIBLE_LOCAL_TEMP=str(work / "tmp"), ANSIBLE_REMOTE_TEMP=str(work / "tmp"),
                   ANSIBLE_HOME=str(work / "home"), ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_LOCALHOST_WARNING="0")
        inv = json.loads(_run([venv / "bin/ansible-inventory", "-i", inventory, "--list"], "ansible-inventory",
                              env=env).stdout)
        stock = re.findall(r"^\[([\w.\-]+)(?::children)?\]", (share / "inventory/multinode").read_text(), re.M)
        missing = [g for g in dict.fromkeys(stock) if g not in inv]
        (work / "groups.ini").write_text("".join(f"[{g}]\n" for g in missing))
        (work / "unset.json").write_text(json.dumps(_placeholders(share)))
        addresses = _addresses(inv)
        (work / "extra.json").write_text(json.dumps({
            "kolla_action": "config", "CONFIG_DIR": str(configdir), "coordcheck_work": str(work),
            "coordcheck_addresses": addresses, "node_config_directory": f"{work}/out/{{{{ inventory_hostname }}}}",
            "ansible_connection": "local", "ansible_become": False, "ansible_python_interpreter": str(venv / "bin/python"),
            "config_owner_user": getpass.getuser(), "config_owner_group": grp.getgrgid(os.getgid()).gr_name}))
        cmd = [venv / "bin/ansible-playbook", "-i", inventory, "-i", work / "groups.ini", "-e", f"@{work}/unset.json",
               "-e", f"@{configdir}/globals.yml", "-e", f"@{configdir}/passwords.yml"]
        cmd += ["--vault-password-file", Path(vault_password_file).resolve()] if vault_password_file else []
        for f in globals_d(configdir / "globals.d"):  # as Repo.load checked them
            cmd += ["-e", f"@{f}"]
        _run(cmd + ["-e", f"@{work}/extra.json", work / "ansible/coordcheck.yml"], f"ansible-playbook ({release})",
             env=env, cwd=work)
        records = _parse(work / "out")
        synth = work / "synthesized"
        facts_src = {h: (synth / h).read_text() if (synth / h).exists() else "fact cache" for h in addresses}
    notes = [f"passwords absent from passwords.yml render as coordcheck-unset-<name>; octavia's cloud look-ups as {CLOUD}"]
    notes += [f"inventory lacks {len(missing)} groups of kolla-ansible {release}'s multinode, added empty: "
              + " ".join(missing)] if missing else []
    notes += [] if "horizon" in roles else [f"horizon: kolla-ansible {release}'s templates have no Redis/Valkey cache"]
    return Rendering(release, records, round(time.monotonic() - start, 1), facts_src, notes)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m coordcheck.kolla.render.installed", description=__doc__.splitlines()[0])
    ap.add_argument("--kolla-ansible", metavar="VENV", help="a venv where kolla-ansible is installed")
    ap.add_argument("--install", metavar="RELEASE", help="install kolla-ansible RELEASE (cached) and use it")
    ap.add_argument("--cache", default=".cache/kolla-ansible", help="where --install keeps its venvs")
    ap.add_argument("--configdir", type=Path)
    ap.add_argument("--inventory", type=Path)
    ap.add_argument("--vault-password-file", type=Path)
    ap.add_argument("--facts", type=Path, help="an Ansible jsonfile fact cache directory")
    ap.add_argument("--keep", type=Path, help="render into this (empty) directory and keep it")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reveal", action="store_true", help="print passwords instead of ***")
    a = ap.parse_args(argv)
    if not (a.install or a.kolla_ansible):
        ap.error("--kolla-ansible VENV or --install RELEASE")
    try:
        venv = install(a.install, Path(a.cache)) if a.install else Path(a.kolla_ansible)
        if not (a.configdir and a.inventory):
            print(venv)
            return 0
        r = render(venv, a.configdir, a.inventory, a.vault_password_file, a.facts, a.keep)
    except KollaAnsibleError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    known = secrets(r.records)
    recs = [asdict(x) | {"value": x.value if a.reveal else mask(x.value, x.option, known)} for x in r.records]
    if a.json:
        print(json.dumps(asdict(r) | {"records": recs}, indent=1))
        return 0
    for x in recs:
        print(f"{x['host']}\t{x['service']}\t{x['file']}\t[{x['section']}] {x['option']} = {x['value']}")
    notes = [n if len(n) < 200 else n[:197] + "..." for n in r.notes]
    print(f"# kolla-ansible {r.release}: {len(recs)} options in {r.seconds}s; facts: {r.facts}", *notes, sep="\n# ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
