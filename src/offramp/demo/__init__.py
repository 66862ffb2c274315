"""Synthetic data for demos, tests and benchmarks (no Django)."""
