"""Benchmarks and the independent evaluation (they import the product, never the tests)."""
