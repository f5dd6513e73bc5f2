"""Pactbot's front ends: the command line, the console chat and (later) the Discord bot."""
