"""Shared: the website widget's server side — signed session tokens, what its channel stores, and
the thumbs up/down ratings staff review. Used by the Rasa server's socket.io channel and the console."""
