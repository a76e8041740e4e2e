"""Shared: data protection — erasure of one conversation everywhere, the retention purge, and
personal data kept out of the logs."""
