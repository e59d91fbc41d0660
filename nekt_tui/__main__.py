"""Allow `python -m nekt_tui`."""

from nekt_tui.cli import main

raise SystemExit(main())
