"""Benchmarks (never timed assertions in tests)."""
