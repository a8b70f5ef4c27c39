"""The record of the service centre: aggregates, events and rules, free of I/O."""
