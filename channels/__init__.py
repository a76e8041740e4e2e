"""Lotse's messenger channels for Rasa (Telegram, Facebook Messenger, WhatsApp via Twilio or the
WhatsApp Cloud API). Each is enabled only when its LOTSE_* variables are set: lotse/credentials.py
adds it to Rasa's credentials; docs/channels.md describes the set-up."""
