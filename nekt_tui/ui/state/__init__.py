"""The app state without Textual: the model, the engine-event reducer, the saved list,
cancelling and the session that owns them (the commands every screen uses)."""
