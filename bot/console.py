"""The console chat: the same engine as the Discord bot, one question per line on standard input."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from bot.render import render_plain
from index.service import SearchService

QUIT = {"quit", "exit", ":q"}
PROMPT = "> "


def _typed_lines(stdout: TextIO) -> Iterator[str]:
    """Lines a person types, with line editing and history (arrow keys, Ctrl-R) where the
    platform has readline; Ctrl-C leaves like Ctrl-D, on a line of its own."""
    with contextlib.suppress(ImportError):  # Windows has no readline; input() works without it
        import readline  # noqa: F401  # importing it is what gives input() editing and history
    while True:
        try:
            yield input(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)  # the shell's prompt then starts on a new line
            return


def chat(service: SearchService, k: int, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Answer each line until end of input; prompts only when a person is typing.

    Questions piped in are printed before their answers ("> question"), as a person typing
    sees them: otherwise the answers follow one another with nothing to say which is which.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdin is sys.stdin
    if interactive:
        print("Ask about defence pacts (empty line, Ctrl-D or Ctrl-C to leave).", file=stdout)
    for line in _typed_lines(stdout) if interactive else stdin:
        question = line.strip()
        if not question:
            if interactive:
                break
            continue
        if question.lower() in QUIT:
            break
        if not interactive:
            print(PROMPT + question, file=stdout, flush=True)  # shown before a slow answer
        service.refresh()  # a version `pactbot index` published meanwhile, from another shell
        print(render_plain(service.ask(question, k)) + "\n", file=stdout, flush=True)
