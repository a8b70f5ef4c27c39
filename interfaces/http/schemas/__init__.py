"""Pydantic shapes of requests and answers, at this edge only."""
