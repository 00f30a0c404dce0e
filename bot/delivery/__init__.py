"""Delivery that survives a crash: the outbox and its sender."""
