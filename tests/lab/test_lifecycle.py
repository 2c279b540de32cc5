"""A whole `coordcheck up` / `down` cycle on a folder that holds files of its own."""

import os

from tests.conftest import run_cli


def test_down_removes_only_what_up_created(tmp_path):
    root = tmp_path / "kolla"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    started = run_cli("up", "--dir", str(root), "--flavor", "valkey").stdout
    assert "(valkey: Valkey " in started, started   # real valkey-server processes (`make valkey`)
    assert "valkey_master_password" in (root / "passwords.yml").read_text()
    assert "[valkey:children]" in (root / "multinode").read_text()
    pids = [int(line.split()[3]) for line in run_cli("status", "--dir", str(root)).stdout.splitlines()
            if " pid " in line]
    assert "stopped 6 processes" in run_cli("down", "--dir", str(root)).stdout
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
