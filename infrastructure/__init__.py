"""Adapters: databases, files, keys, clocks and the composition root."""
