#!/usr/bin/env python3
"""Checks labelled question files before anything trains or scores on them.

    python3 tests/eval/verify.py tests/eval/train/*.yaml tests/eval/heldout/*.yaml

Needs only PyYAML, so writers can run it without the project installed. For each file:

* every `corpus:` entry exists (a file, or a folder of *.md / *.txt articles);
* every article of the corpus has front matter with a title and a published date, and
  every article is given an event in `events:` (the seed and glossary excepted): folds
  by event keep every text about one pact on one side of a split;
* every answerable question names an article of the corpus, and each of its golds is a
  verbatim part (whitespace aside) of exactly one paragraph of that article and of no other
  article of the corpus;
* unanswerable questions are `offtopic` or `in_domain`; no question appears twice.

Across the files given: no event is in both a training file and a held-out file (a file
whose name starts with `heldout`). Prints a summary line per file and exits 1 on any error.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)
# Parts of every corpus that are the project's own and belong to no event.
SHARED_PARTS = frozenset({"japan-uk-defence-pact", "glossary"})
KINDS = frozenset({"offtopic", "in_domain"})


def flat(text: str) -> str:
    return " ".join(text.split())


def read_article(path: Path, errors: list[str]) -> list[str]:
    """The article's paragraphs (flattened), checking its front matter."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if match is None:
        if path.suffix == ".txt":
            return [flat(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
        errors.append(f"{path}: no front matter")
        return []
    meta = yaml.safe_load(match.group(1)) or {}
    for key in ("title", "published"):
        if not meta.get(key):
            errors.append(f"{path}: front matter lacks {key}")
    return [flat(p) for p in re.split(r"\n\s*\n", match.group(2)) if p.strip()]


def corpus_files(base: Path, entries: list[str], errors: list[str]) -> list[Path]:
    files: list[Path] = []
    for entry in entries:
        path = (base / entry).resolve()
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in {".md", ".txt"})
        elif path.is_file():
            if path.suffix in {".md", ".txt"}:
                files.append(path)
        else:
            errors.append(f"corpus entry {entry} does not exist")
    return files


def verify(path: Path, errors: list[str]) -> tuple[set[str], str]:
    """Check one file; its events and a summary line."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        errors.append(f"{path}: not a mapping")
        return set(), ""
    problems: list[str] = []
    files = corpus_files(path.parent, data.get("corpus") or [], problems)
    articles = {f.stem: read_article(f, problems) for f in files}
    events = data.get("events") or {}
    for stem in articles:
        if stem not in SHARED_PARTS and stem not in events:
            problems.append(f"article {stem} has no event")
    for stem in events:
        if stem not in articles:
            problems.append(f"events names {stem}, which is not in the corpus")
    seen: Counter[str] = Counter()
    used: set[str] = set()
    answerable = data.get("answerable") or []
    for q in answerable:
        text, article, golds = q.get("q"), q.get("article"), q.get("gold")
        seen[flat(str(text)).lower()] += 1
        if not text or not article or not golds:
            problems.append(f"answerable question lacks q, article or gold: {q}")
            continue
        if article not in articles:
            problems.append(f"{text!r}: article {article} is not in the corpus")
            continue
        used.add(article)
        for gold in [golds] if isinstance(golds, str) else golds:
            part = flat(str(gold))
            holding = sum(part in p for p in articles[article])
            if holding != 1:
                problems.append(f"{text!r}: gold {part!r} is in {holding} paragraphs of {article}, not 1")
            others = [s for s, paras in articles.items() if s != article and any(part in p for p in paras)]
            if others:
                problems.append(f"{text!r}: gold {part!r} is also in {', '.join(others)}")
    unanswerable = data.get("unanswerable") or []
    for q in unanswerable:
        seen[flat(str(q.get("q"))).lower()] += 1
        if not q.get("q") or q.get("kind") not in KINDS:
            problems.append(f"unanswerable question needs q and kind (offtopic or in_domain): {q}")
    problems += [f"question asked {n} times: {q!r}" for q, n in seen.items() if n > 1]
    errors += [f"{path}: {p}" for p in problems]
    kinds = Counter(q.get("kind") for q in unanswerable)
    texts = len([s for s in articles if s not in SHARED_PARTS])
    summary = (
        f"{path}: {texts} texts ({len(used)} with questions), {len(set(events.values()))} events, "
        f"{len(answerable)} answerable, {kinds['in_domain']} in-domain and {kinds['offtopic']} off-topic "
        f"unanswerable, {len(problems)} problems"
    )
    return set(events.values()), summary


def main(paths: list[str]) -> int:
    errors: list[str] = []
    training: dict[str, Path] = {}
    held_out: dict[str, Path] = {}
    for name in paths:
        path = Path(name)
        events, summary = verify(path, errors)
        print(summary)
        for event in events:
            (held_out if path.name.startswith("heldout") else training)[event] = path
    for event in sorted(set(training) & set(held_out)):
        errors.append(f"event {event} is in {training[event]} (training) and {held_out[event]} (held out)")
    for line in errors:
        print("ERROR", line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
