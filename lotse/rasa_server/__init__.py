"""The Rasa server process: everything Rasa loads by name from config.yml, endpoints.yml and
credentials.yml (NLU components, NLG, tracker store, lock store, channels), the overrides of Rasa
internals, and the launcher (`python -m lotse.rasa_server.server run …`)."""
