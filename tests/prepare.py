"""What the tests install and render, made before them: ``make test`` runs this while the images build
(debootstrap leaves a core idle), so that the suite finds the kolla-ansible venvs, the oracle's renders
and coordcheck's wheel beside each kolla-ansible made, and spends its time testing.

    python -m tests.prepare    # -> "prepare: 3 venvs beside kolla-ansible, 36 renders of 3 releases in 457 s"

Everything is cached by content (tests/installs.py, tests/kolla/oracle.py): a test that runs without it
makes what it needs itself, and a second run finds it all made.
"""
import sys, time
from concurrent.futures import ProcessPoolExecutor

from coordcheck.kolla.render.venvs import KollaAnsibleError
from tests import installs
from tests.kolla import oracle

JOBS = 2


def main() -> int:
    started = time.monotonic()
    try:
        with ProcessPoolExecutor(JOBS) as pool:
            beside = pool.map(installs.beside_kolla, installs.KOLLA)
            renders = oracle.prepare(pool)
            venvs = len(list(beside))
    except (KollaAnsibleError, AssertionError) as e:   # installs' own checks fail as assertions
        print(f"prepare: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 1
    print(f"prepare: {venvs} venvs beside kolla-ansible, {renders} renders of {len(oracle.RELEASES)} releases "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
