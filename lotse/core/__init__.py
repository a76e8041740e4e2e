"""Shared by every process: the settings read from the environment, the Rasa configuration files
derived from them (credentials with the enabled channels, endpoints), and YAML reference files
re-read when they change."""
