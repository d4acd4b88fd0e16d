"""Benchmarks, kept out of the test suite: timings depend on the machine, so each benchmark reports
its figures as a ratio against a baseline measured in the same run (``python -m bench`` runs all)."""
