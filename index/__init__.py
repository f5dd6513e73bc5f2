"""Pactbot's retrieval layer: articles -> passages -> hybrid index -> quoted, cited answers.

Importable without discord.py, so the CLI, the tests and the benchmarks can use it alone.
"""
