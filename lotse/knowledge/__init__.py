"""Shared: the reference knowledge — answer content, offices and who is responsible where, place
resolution, a child's age. Used by the Rasa server (NLU, NLG) and the action server."""
