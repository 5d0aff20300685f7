"""SQLite: the embedded default, with its own engine set-up and an optional fast reader."""
