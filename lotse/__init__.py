"""Lotse core library: domain logic shared by the Rasa server, the action server and tools.

Nothing here has import-time side effects; configuration comes from `lotse.settings`.
"""
