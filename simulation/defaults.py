"""The demo campaign's defaults, apart from the campaign so that `oversight demo --help`
shows them without loading the application."""

DEFAULT_SEED = 2026
DEFAULT_DAYS = 100
