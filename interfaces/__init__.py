"""The edges: HTTP API, command line, and the composition root that wires them."""
