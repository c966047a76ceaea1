"""Performance benchmarks for the community model; run with ``python -m benchmarks``."""
