"""Mentor Minutes benchmarks: `python -m bench` (or `make bench`).

Measures `/logmeeting` end to end over signed HTTP beside the floor (a bare Bolt app with
`process_before_response=True` on the same waitress set-up), `/hours` totals beside the raw SQL
aggregate, and the ledger's rebuild and verify, with 1,000,000 log rows in the store; writes
`bench/results/latest.json`. Not part of the test run; imports nothing from `tests/`.
"""
