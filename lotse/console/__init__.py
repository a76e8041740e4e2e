"""The staff console process (aiohttp, server-rendered, no JavaScript): transcripts, the callback
queue, corrections, data protection. `python -m lotse.console serve | create-admin`."""
