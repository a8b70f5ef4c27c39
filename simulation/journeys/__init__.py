"""What each actor does over the days, one module per kind of record a campaign follows."""
