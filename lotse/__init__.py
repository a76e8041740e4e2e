"""Lotse: the chat assistant for single parents looking for work in Kreis Borken.

Process packages (each is one running process; they import shared packages, never each other):

- `actions` (at the repository root, Rasa's convention): the action server and its custom actions.
- `lotse.rasa_server`: everything the Rasa server loads (NLU components, NLG, tracker and lock store,
  channels, the overrides of Rasa internals) and its launcher.
- `lotse.webserver`: the public web server (widget files, demo page, /api/chat, the socket.io proxy).
- `lotse.console`: the staff console.
- `lotse.worker`: background jobs (webhook delivery, phone purge, retention purge).
- `lotse.runner`: `make run`'s process supervisor, the container entry point and the operator CLI.

Shared packages, by domain: `lotse.core` (settings, YAML files), `lotse.language`, `lotse.knowledge`
(content, offices, places, child age), `lotse.database`, `lotse.callbacks`, `lotse.privacy`,
`lotse.guards` (checks for requests from the internet), `lotse.widget` (widget sessions, store, ratings).
The rule is checked by the import contracts in pyproject.toml; docs/architecture.md draws it.
"""
