"""Handing a person to a volunteer and back: one forum topic per case, messages copied both
ways. rules.py decides (pure); the other modules read and write and send."""
