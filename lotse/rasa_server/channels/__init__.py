"""Rasa input channels (run inside the Rasa server): the hardened REST and socket.io (widget)
channels, and the messenger channels (Telegram, Facebook Messenger, WhatsApp via Twilio or the
WhatsApp Cloud API). A messenger channel is enabled only when its LOTSE_* variables are set:
lotse/core/credentials.py adds it to Rasa's credentials; docs/channels.md describes the set-up."""
