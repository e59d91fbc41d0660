"""The watch engine: watch list, poll scheduler, events and log deltas. No Textual here.

Data flows one way: a run source (the API client) → `Scheduler` → `Event`s → the UI or the
headless CLI. `WatchList` persists what is watched between sessions.
"""
