"""Mentor Minutes benchmarks: `python -m bench` (or `make bench`).

Measures `/logmeeting` end to end over signed HTTP beside a bare Bolt app, and `/hours` totals
beside the raw SQL aggregate, with 1,000,000 log rows in the store; writes
`bench/results/latest.json`. Not part of the test run; imports nothing from `tests/`.
"""
