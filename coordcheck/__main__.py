from coordcheck.cli import main

raise SystemExit(main())
