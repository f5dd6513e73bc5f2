"""The pact events the real-news texts make when added one by one, in date order, to an empty
knowledge folder with the glossary: `python -m tests.bench.realnews_events [ARTICLES_DIR]`.

Uses the hash embedder (what is read from the articles does not depend on the embedder); prints
each update's events with the sentence behind it, for checking by hand.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from index.ingest.articles import parse_article
from index.pacts.pact_events import PactEvent, load_events
from index.service import SearchService
from tests.conftest import KNOWLEDGE
from tests.fakes import HashEmbedder

REALNEWS = Path(__file__).resolve().parents[3] / "shared" / "realnews" / "articles"


def events_by_article(articles: Path) -> list[tuple[str, list[PactEvent]]]:
    files = sorted(articles.glob("*.md"), key=lambda p: (parse_article(p, p.read_bytes()).published, p.name))
    with tempfile.TemporaryDirectory() as scratch:
        knowledge, data = Path(scratch) / "knowledge", Path(scratch) / "data"
        knowledge.mkdir()
        shutil.copyfile(KNOWLEDGE / "glossary.yaml", knowledge / "glossary.yaml")
        service = SearchService(knowledge, data, HashEmbedder())
        found: list[tuple[str, list[PactEvent]]] = []
        seen = 0
        for path in files:
            shutil.copyfile(path, knowledge / path.name)
            service.rebuild(show_progress=False)
            events = load_events(data)
            found.append((path.name, events[seen:]))
            seen = len(events)
        return found


def main() -> None:
    articles = Path(sys.argv[1]) if len(sys.argv) > 1 else REALNEWS
    n = 0
    for name, events in events_by_article(articles):
        print(f"+ {name}: {len(events)} events")
        for event in events:
            n += 1
            print(f"  {n:2d}. [{event.kind}] {event.line()}")
            print(f"      “{event.citation.quote}” (¶{event.citation.paragraph})")


if __name__ == "__main__":
    main()
