"""`python -m mwskit.cli ...`: the same as the `mwskit` console script."""

from . import main

raise SystemExit(main())
