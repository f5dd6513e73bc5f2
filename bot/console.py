"""The console chat: the same engine as the Discord bot, one question per line on standard input."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.render import render_plain
from index.service import SearchService

QUIT = {"quit", "exit", ":q"}


def chat(service: SearchService, k: int, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Answer each line until end of input; prompts only when a person is typing."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    if interactive:
        print("Ask about defence pacts (empty line or Ctrl-D to leave).", file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            if interactive:
                break
            continue
        if question.lower() in QUIT:
            break
        print(render_plain(service.ask(question, k)) + "\n", file=stdout, flush=True)
