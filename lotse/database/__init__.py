"""Shared: Lotse's own SQL database (callbacks, ratings, widget sessions, console tables) — the
schema and its Alembic migrations."""
