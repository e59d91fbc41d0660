"""Finding runs without their IDs: the pipelines lists, the run list, follow rules.
Knows nothing of screens (no Textual here)."""
