"""Benchmarks and load tests: `make bench` (scripts/bench.py) and `make load` (locustfile.py)."""
