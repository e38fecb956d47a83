"""Throughput and latency benchmarks: `make bench` (or `python -m benchmarks [name …]`)."""
