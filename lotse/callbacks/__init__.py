"""Shared: callbacks from staff — the calendar of windows, free-text time parsing, phone numbers,
the store and the outbox of staff notifications. Used by the action server, the worker and the console."""
