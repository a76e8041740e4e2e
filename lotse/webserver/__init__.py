"""The public web server process (`python -m lotse.webserver.app`): the chat widget's files, the
demo page, POST /api/chat and the proxy of the widget's socket.io to Rasa, behind request guards."""
