"""``python -m probe`` runs the ``lifesize-probe`` command."""

from probe.cli import main

raise SystemExit(main())
