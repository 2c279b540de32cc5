"""What the tests install and render, made before them: ``make test`` runs this while the images build
(debootstrap leaves a core idle), so that the suite finds the kolla-ansible venvs, the oracle's renders,
the venvs of tests/installs.py (the wheel installed, beside each kolla-ansible, ...) and every published
point release's wheel (tests/kolla/wheel_facts.py) made, and spends its time testing.

    python -m tests.prepare    # -> "prepare: 6 venvs, 36 renders of 3 kolla-ansible releases, the wheels of
                               #     24 point releases (24 on the index) in 6 s" (all of it made before)

Everything is cached by content (tests/installs.py, tests/kolla/oracle.py): a test that runs without it
makes what it needs itself, and a second run finds it all made.
"""
import sys, time
from concurrent.futures import ProcessPoolExecutor

from tests import installs
from tests.kolla import oracle, wheel_facts

JOBS = 2


def main() -> int:
    started = time.monotonic()
    try:
        with ProcessPoolExecutor(JOBS) as pool:
            venvs = [pool.submit(make) for make in installs.PREPARED]
            points = [pool.submit(wheel_facts.published), pool.submit(wheel_facts.published_facts)]
            renders = oracle.prepare(pool)
            made = [venv.result() for venv in venvs]
            on_index, facts = (point.result() for point in points)
    except Exception as e:   # KollaAnsibleError, installs' own checks (assertions), a pip that timed out, ...
        print(f"prepare: {type(e).__name__}: {(str(e).splitlines() or [''])[0]}", file=sys.stderr)
        return 1
    print(f"prepare: {len(made)} venvs, {renders} renders of {len(oracle.RELEASES)} kolla-ansible releases, "
          f"the wheels of {len(facts)} point releases ({len(on_index)} on the index) "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
