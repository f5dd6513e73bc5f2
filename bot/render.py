"""Answers as plain text: the quotes with [n] markers, then the numbered sources."""

from __future__ import annotations

from index.answer import Answer, Citation


def source_line(c: Citation) -> str:
    parts = [c.title]
    details = ", ".join(x for x in (c.publisher, c.published.isoformat() if c.published else None) if x)
    if details:
        parts.append(details)
    parts.append(f"paragraph {c.paragraph}")
    line = f"[{c.n}] " + " — ".join(parts)
    return f"{line} <{c.source}>" if c.source else line


def render_plain(answer: Answer) -> str:
    if answer.abstained:
        return answer.answer
    sources = "\n".join(source_line(c) for c in answer.citations)
    return f"{answer.answer}\n\nSources:\n{sources}"
