"""`make test` runs with pytest-xdist's `--dist loadgroup`: the tests whose labs
carry Kolla's container names share one group and must run on one worker,
one after another. That only holds if xdist's grouping works with this
pytest (it silently does not with pytest 9.2 and xdist 3.8)."""

import os
import subprocess
import sys

TESTS = '''
import os, pytest

@pytest.mark.xdist_group("one")
@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    with open(os.path.join(os.environ["GROUPED"], f"grouped-{n}"), "w") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"])

@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
'''


def test_a_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_groups.py").write_text(TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist",
                           "loadgroup", str(tmp_path / "test_groups.py")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, env={**os.environ, "GROUPED": str(tmp_path)})
    assert done.returncode == 0, done.stdout[-2000:]
    workers = {(tmp_path / f"grouped-{n}").read_text() for n in range(6)}
    assert len(workers) == 1, workers
