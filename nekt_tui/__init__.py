"""nekt-tui: a terminal dashboard for watching Nekt data-pipeline runs."""

__version__ = "0.1.0"
