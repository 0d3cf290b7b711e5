"""`python -m checker`: the same as the `checker` command."""

from checker.cli import main

raise SystemExit(main())
