"""``python -m coordcheck`` is the ``coordcheck`` command."""

import sys

try:
    from coordcheck.cli import main
except KeyboardInterrupt:  # Ctrl-C before the command's own handler exists
    sys.stderr.write("coordcheck: interrupted\n")
    raise SystemExit(130) from None

if __name__ == "__main__":
    raise SystemExit(main())
