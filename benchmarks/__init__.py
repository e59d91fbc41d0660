"""Benchmarks for nekt-tui: `python -m benchmarks` (see README, Performance)."""
