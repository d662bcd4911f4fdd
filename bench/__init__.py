"""Benchmarks of civicgrid: load generation and the peer measured beside it (not part of the test suite)."""
