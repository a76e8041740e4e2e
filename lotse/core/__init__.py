"""Shared by every process: the settings read from the environment, the Rasa configuration files
derived from them (credentials with the enabled channels, endpoints), YAML reference files
re-read when they change, and the list of library internals Lotse overrides with the versions the
Rasa and action servers check at start (override_registry)."""
