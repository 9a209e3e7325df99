"""Benchmarks that print figures as JSON lines, each beside its floor measured in the same run. Not tests."""
