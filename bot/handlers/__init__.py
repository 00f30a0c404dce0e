"""Routers, one per feature; the composition root includes them in order."""
