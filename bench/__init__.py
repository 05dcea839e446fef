"""Benchmarks: each figure is measured side by side with its peer, in one run, as a ratio."""
