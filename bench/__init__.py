"""Benchmarks: Pactbot against the model's own limit and a peer, at growing corpus sizes."""
