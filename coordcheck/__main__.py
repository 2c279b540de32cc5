"""``python -m coordcheck`` is the ``coordcheck`` command."""

from coordcheck.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
