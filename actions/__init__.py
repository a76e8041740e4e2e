"""The action server process (rasa-sdk): Lotse's custom actions, one module per feature, and the
server launcher (`python -m actions.server`). Domain logic lives in the shared `lotse` packages."""
