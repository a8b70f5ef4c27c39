"""The use cases: one method per user verb, over one event store."""
