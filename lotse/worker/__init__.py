"""The worker process (`python -m lotse.worker.jobs`): webhook delivery from the outbox, the hourly
phone purge and the daily retention purge."""
