"""Adapters: databases, files, keys, the time source and the composition root."""
