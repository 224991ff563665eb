"""Benchmarks and the scale data generator (not tests; see bench/README.md)."""
