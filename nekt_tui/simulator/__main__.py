"""`python -m nekt_tui.simulator`: serve the simulated API (same as `nekt-tui simulate`)."""

from nekt_tui.simulator.serve import main

raise SystemExit(main())
