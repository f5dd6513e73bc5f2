"""The console chat (bot/console.py) with a stand-in service: which question each answer answers."""

from __future__ import annotations

import io
import sys
from typing import cast

import pytest

from bot import console
from index.service import SearchService


class FakeService:
    """Answers "A: question"; counts refreshes, as the chat refreshes before each question."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.refreshes = 0

    def refresh(self) -> bool:
        self.refreshes += 1
        return False

    def ask(self, question: str, k: int = 3) -> str:
        self.asked.append(question)
        return f"A: {question}"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeService:
    monkeypatch.setattr(console, "render_plain", lambda answer: answer)  # the fake's answers are text
    return FakeService()


def test_piped_questions_are_printed_before_their_answers(service: FakeService) -> None:
    out = io.StringIO()
    console.chat(cast(SearchService, service), 3, stdin=io.StringIO("first question\n\n  second one  \n"), stdout=out)
    assert out.getvalue() == "> first question\nA: first question\n\n> second one\nA: second one\n\n"
    assert service.asked == ["first question", "second one"] and service.refreshes == 2


def test_a_terminal_stream_that_is_not_standard_input_is_treated_as_piped(service: FakeService) -> None:
    out = io.StringIO()
    console.chat(cast(SearchService, service), 3, stdin=Terminal("a question\nquit\nnot asked\n"), stdout=out)
    assert out.getvalue() == "> a question\nA: a question\n\n"


def test_typed_questions_are_not_echoed_again(service: FakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    typed = iter(["a typed question"])

    def fake_input(prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdin", terminal)
    monkeypatch.setattr("builtins.input", fake_input)
    out = io.StringIO()
    console.chat(cast(SearchService, service), 3, stdin=terminal, stdout=out)
    # The terminal already shows what was typed after input()'s prompt.
    assert "> a typed question" not in out.getvalue()
    assert "A: a typed question" in out.getvalue()
