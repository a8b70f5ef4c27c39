"""Everything that makes up data: the demo's campaign and the benchmarks' fills.

A client of the application, not a use case: it imports only `application` and `domain`. The
composition root (`interfaces.bootstrap`) builds the application it drives, for
`oversight demo` and for the benchmarks (`bench/support.py`), which hand it to a fill.
`mixes` and `texts` say what the data is like, `time_source` moves simulated time, `world` and
`journeys` play the centre's people day by day, `campaign` runs them, and `fills` writes the
same kind of cases fast, many per save.
"""
