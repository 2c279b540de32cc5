"""`coordcheck render`: every consumer option with its value (masked) and where it comes from."""
import json
import shutil

from coordcheck.cli import render as render_command
from coordcheck.kolla.releases import RELEASES, release_for
from tests.kolla import scenarios

REPO = scenarios.REPOS / "incident"
ARGS = ["--configdir", str(REPO / "etc/kolla"), "--inventory", str(REPO / "multinode")]
PASSWORD = "8Uv6Y4mWcQqU3tXk2fZr"


def test_text(capsys):
    assert render_command.main(ARGS) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out and "***" in out
    assert out.startswith("# rendered by built-in tables for kolla-ansible 20.6.0 (2025.1, redis; tables of "
                          "20.4.0-20.6.0), proven against kolla-ansible 20.6.0; kolla-ansible 20.6.0 (2025.1) from "
                          "openstack_release in ")
    assert "# assumed kolla-ansible 20.6.0, the newest of 2025.1" in out and "20.0.0-20.3.0 (changed at 20.4.0" in out
    assert "API addresses from the inventory" in out
    line = next(l for l in out.splitlines() if l.startswith("stor1\tcinder-volume"))
    assert "config/cinder/cinder-volume.conf:" in line.split("<- ")[1]
    masakari = next(l for l in out.splitlines() if "masakari-api" in l)
    assert masakari.split("<- ")[1].endswith("config/masakari.conf:3")


def test_json(capsys):
    assert render_command.main(ARGS + ["--json", "--kolla-release", "23.0.0"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["release"] == "23.0.0 (2026.2)" and data["release_source"] == "--kolla-release 23.0.0"
    assert data["flavor"] == "valkey" and data["tables"] == "23.0.0"
    assert {r["service"] for r in data["records"]} == {"mistral-api", "mistral-engine", "cinder-volume",
                                                        "designate-central", "designate-worker", "masakari-api"}
    assert PASSWORD not in json.dumps(data)


def test_errors_are_one_line(capsys):
    assert render_command.main(["--configdir", "/nonexistent", "--inventory", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coordcheck render: error: ") and err.count("\n") == 1
    assert render_command.main(ARGS + ["--kolla-release", "17.0.0"]) == 2
    assert "not one coordcheck knows" in capsys.readouterr().err


def test_releases():
    assert [r.flavor for r in RELEASES.values()] == ["redis", "redis", "valkey", "valkey", "valkey"]
    assert release_for("master").name == "23" and release_for("2024.2").point == "19.8.0"
    assert release_for("20.6.0").flavors == ("redis", "valkey") and release_for("20.3.0").flavors == ("redis",)
    assert {o.project for o in RELEASES["20"].options if o.parser == "tooz"} == {
        "cinder", "designate", "masakari", "mistral", "ironic"}
    assert not [o for o in RELEASES["23"].options if o.project in ("ironic", "zun")]


def test_what_does_not_render_is_listed_in_both_forms(tmp_path, capsys):
    """An override's template that fails, and an override that is not INI: named with file:line, in JSON too."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    config = repo / "etc/kolla/config"
    (config / "masakari.conf").write_text("[coordination]\nbackend_url = {{ not_defined }}\n")
    (config / "designate.conf").write_text("[coordination\n")
    args = ["--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode")]
    assert render_command.main(args + ["--json"]) == 1  # something did not render
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert any("config/masakari.conf:2 [coordination] backend_url" in e and "'not_defined' is undefined" in e
               for e in errors), errors
    assert any("config/designate.conf: not INI text" in e for e in errors), errors
    assert render_command.main(args) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(l.startswith("# error: ") and " masakari-api: " in l and "masakari.conf:2" in l for l in lines)


def test_render_exits_non_zero_when_something_did_not_render(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(scenarios.REPOS / "healthy", repo)
    (repo / "etc/kolla/config/cinder.conf").write_text("[coordination]\nbackend_url = {{ no_such_variable }}\n")
    code = render_command.main(["--configdir", str(repo / "etc/kolla"), "--inventory", str(repo / "multinode")])
    out, err = capsys.readouterr()
    assert code == 1 and "# error: " in out and "did not render" in err
    assert {"ctl1", "ctl2", "ctl3", "stor1"} <= {line.split()[2] for line in out.splitlines()
                                                if line.startswith("# error: ")}
