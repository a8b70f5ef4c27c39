"""Versioned SQL migrations of the read side, applied in order by `infrastructure.schema`."""
