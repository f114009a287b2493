"""The catalogue's pages (a blueprint per module; only the app factory imports them)."""
