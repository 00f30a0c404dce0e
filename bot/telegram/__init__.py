"""The edge to Telegram: one turn per update, its middlewares, updates as engine events,
retries, start-up, and send.py, the one way out."""
