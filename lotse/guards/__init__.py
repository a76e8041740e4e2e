"""Shared: checks for requests from the public internet (size, type, rate limits, unread bodies),
used by Rasa's channels, the web server and the console."""
