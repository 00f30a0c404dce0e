"""The Telegram shell around the dialog engine: configuration, I/O, persistence, the CLI."""
