"""The Nekt API: models and an async client. Knows nothing of screens or scheduling."""
